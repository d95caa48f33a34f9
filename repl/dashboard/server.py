"""The dashboard's loopback HTTP server: its static files, and an allowlisted proxy to the control plane.

Every path starts with a random token made at start (`/<token>/...`), the Host header must name this
server (127.0.0.1:<port> or localhost:<port>), and the API calls also need a header only the page's
own script sets: another local page (CSRF) or a rebound DNS name cannot use it. The control plane is
called with the CLI's own Client, signed as every `repl` command is.
"""
import json
import re
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from repl.client import ApiError, Client
from repl.commands import Context
from repl.commands.follow import expand
from repl.errors import CliError

HEADER = "X-Repl-Dashboard"  # sent by app.js; a cross-origin page cannot set it without a CORS preflight
STATIC = {"": ("index.html", "text/html"), "app.js": ("app.js", "text/javascript"),
          "style.css": ("style.css", "text/css")}
_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]*"  # a run, snapshot or instance id: never ".."
# What the page may read: /api/<path> is GET /v1/<path>. Not every route under /v1: no private keys
# (admin/keys), no Tailscale settings, no SSH keys.
GETS = [re.compile(p) for p in (r"health", r"runs", rf"runs/{_ID}", rf"runs/{_ID}/(logs|artifacts)",
                                r"instances", r"snapshots", rf"snapshots/{_ID}", r"pools", rf"pools/{_ID}",
                                r"admin/orphans")]
POSTS = [re.compile(rf"runs/{_ID}/cancel")]
QUERY = ("limit", "cursor", "after", "all")  # the query parameters passed on; `wait` is not (no held calls)


class Dashboard(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, ctx: Context, port: int = 0, token: str | None = None):
        self.ctx = ctx
        self.client: Client = ctx.client  # resolved now: no control plane configured is an error at start
        super().__init__(("127.0.0.1", port), _Handler)
        self.token = token or secrets.token_urlsafe(24)
        self.hosts = {f"127.0.0.1:{self.server_port}", f"localhost:{self.server_port}"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/{self.token}/"


class _Handler(BaseHTTPRequestHandler):
    server: Dashboard

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._refuse(405, "method not allowed")

    do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_PUT

    def _handle(self, method: str) -> None:
        if self.headers.get("Host") not in self.server.hosts:  # DNS rebinding: evil.example resolving to 127.0.0.1
            return self._refuse(421, "wrong Host")
        url = urlsplit(self.path)
        prefix = f"/{self.server.token}/"
        if not url.path.startswith(prefix):
            return self._refuse(404, "not found")
        rest = url.path[len(prefix):]
        if rest.startswith("api/"):
            return self._api(method, rest[len("api/"):], parse_qs(url.query))
        if method == "GET" and rest in STATIC:
            return self._static(*STATIC[rest])
        self._refuse(404, "not found")

    def _api(self, method: str, path: str, query: dict) -> None:
        if self.headers.get(HEADER) != "1":
            return self._refuse(403, f"missing {HEADER} header")
        origin = self.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc not in self.server.hosts:
            return self._refuse(403, "cross-origin request")
        allowed = GETS if method == "GET" else POSTS
        if not any(p.fullmatch(path) for p in allowed):
            return self._refuse(405 if _known(path) else 404, f"{method} /api/{path} is not the dashboard's")
        self._proxy(method, f"/v1/{path}", {k: v[0] for k, v in query.items() if k in QUERY})

    def _proxy(self, method: str, path: str, query: dict) -> None:
        client = self.server.client
        try:
            answer = client.get(path, **query) if method == "GET" else client.post(path)
            if path.endswith("/logs"):  # bulk output kept in S3: fetched here, as `repl run logs` does
                answer["entries"] = expand(self.server.ctx, answer.get("entries", []))
        except ApiError as err:
            return self._json(err.status, {"error": {"code": err.code, "message": err.message}})
        except CliError as err:  # unreachable, or no control plane configured
            return self._json(502, {"error": {"code": "unreachable", "message": err.message}})
        self._json(200, answer)

    def _static(self, name: str, kind: str) -> None:
        body = resources.files("repl.dashboard").joinpath("static", name).read_bytes()
        self._send(200, body, f"{kind}; charset=utf-8")

    def _refuse(self, status: int, message: str) -> None:
        self._json(status, {"error": {"code": "refused", "message": message}})

    def _json(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")  # the token is in the URL: never send it on
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # the terminal shows the URL, not every poll
        pass


def _known(path: str) -> bool:
    return any(p.fullmatch(path) for p in GETS + POSTS)
