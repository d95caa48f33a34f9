"""A fake EC2 instance metadata service (IMDSv2) for the embedded stack, on 127.0.0.1.

One server for every emulated instance: the instance's agent gets `SKYREPL_IMDS_URL=<url>/<instance id>`
as its IMDS base, so `<url>/i-0abc.../latest/api/token` is that instance's token endpoint. Served as EC2
does (docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html):

  PUT  /<id>/latest/api/token                    X-aws-ec2-metadata-token-ttl-seconds: 1-21600 -> the token
                                                 (400 without a valid TTL, 403 with X-Forwarded-For)
  GET  /<id>/latest/meta-data/spot/instance-action   X-aws-ec2-metadata-token -> 404 (no notice) or
                                                 200 {"action": "terminate", "time": "2026-11-26T12:00:00Z"};
                                                 401 without a valid, unexpired token of that instance
  GET  /<id>/latest/meta-data/instance-id        the id (same token rule)

and, for tests, an admin route (loopback only, like the rest):

  POST /_admin/<id>/spot-interruption   {"action": "terminate", "time": "..."} (both optional: terminate,
                                        two minutes from now) -> 200 {"instance_id": ..., "notice": {...}}

The fake only announces: reclaiming the instance at `time` is up to the test (terminate it through EC2).
"""
import json
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from local.http_reply import reply

MAX_TTL_SECONDS = 21600
NOTICE_LEAD = timedelta(minutes=2)
ACTIONS = ("terminate", "stop", "hibernate")


class FakeImds:
    def __init__(self, port: int = 0):
        self._lock = threading.Lock()
        self.instances: dict[str, dict] = {}  # instance id -> {"tokens": {token: expiry}, "notice": dict | None}
        self.calls: list[tuple] = []  # (method, path), in arrival order: what tests read back
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeImds":
        threading.Thread(target=self.server.serve_forever, args=(0.1,), name="fake-imds", daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def base_url(self, instance_id: str) -> str:
        """What the instance's agent takes as its IMDS address."""
        return f"{self.url}/{instance_id}"

    def add(self, instance_id: str) -> None:
        with self._lock:
            self.instances.setdefault(instance_id, {"tokens": {}, "notice": None})

    def remove(self, instance_id: str) -> None:
        with self._lock:
            self.instances.pop(instance_id, None)

    def announce(self, instance_id: str, action: str = "terminate", when: str | None = None) -> dict:
        """The spot interruption notice IMDS serves from now on; KeyError for an instance it does not know."""
        when = when or (datetime.now(timezone.utc) + NOTICE_LEAD).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self.instances[instance_id]["notice"] = {"action": action, "time": when}
            return dict(self.instances[instance_id]["notice"])

    def answer(self, method: str, path: str, headers: dict, body: bytes) -> tuple:
        """(status, content type, text)."""
        self.calls.append((method, path))
        parts = path.split("?", 1)[0].strip("/").split("/", 1)
        if method == "POST" and parts[0] == "_admin":
            return self._admin(parts[1] if len(parts) > 1 else "", body)
        instance_id, rest = parts[0], "/" + (parts[1] if len(parts) > 1 else "")
        with self._lock:
            state = self.instances.get(instance_id)
            if state is None:
                return 404, "text/plain", "Not Found"
            if method == "PUT" and rest == "/latest/api/token":
                return self._token(state, headers)
            if method != "GET":
                return 405, "text/plain", "Method Not Allowed"
            expiry = state["tokens"].get(headers.get("x-aws-ec2-metadata-token", ""))
            if expiry is None or expiry <= time.monotonic():
                return 401, "text/plain", "Unauthorized"
            if rest == "/latest/meta-data/spot/instance-action" and state["notice"]:
                return 200, "text/plain", json.dumps(state["notice"])
            if rest == "/latest/meta-data/instance-id":
                return 200, "text/plain", instance_id
            return 404, "text/plain", "Not Found"

    def _token(self, state: dict, headers: dict) -> tuple:
        if "x-forwarded-for" in headers:  # IMDSv2 refuses token requests that went through a proxy
            return 403, "text/plain", "Forbidden"
        ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= MAX_TTL_SECONDS:
            return 400, "text/plain", "Bad Request"
        token = secrets.token_urlsafe(32)
        state["tokens"][token] = time.monotonic() + int(ttl)
        return 200, "text/plain", token

    def _admin(self, rest: str, body: bytes) -> tuple:
        instance_id, _, action = rest.partition("/")
        if action != "spot-interruption":
            return 404, "application/json", json.dumps({"error": "POST /_admin/<instance id>/spot-interruption"})
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("action", "terminate") not in ACTIONS or \
                not isinstance(data.get("time", ""), str):
            return 400, "application/json", json.dumps({"error": f"body: {{\"action\": one of {ACTIONS}, "
                                                                  "\"time\": \"2026-11-26T12:00:00Z\"}, both optional"})
        try:
            notice = self.announce(instance_id, data.get("action", "terminate"), data.get("time"))
        except KeyError:
            return 404, "application/json", json.dumps({"error": f"no emulated instance {instance_id}"})
        return 200, "application/json", json.dumps({"instance_id": instance_id, "notice": notice})


def _handler_for(imds: FakeImds):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._serve()

        def do_PUT(self):
            self._serve()

        def do_POST(self):
            self._serve()

        def _serve(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, ctype, text = imds.answer(self.command, self.path, headers, body)
            reply(self, status, text.encode("utf-8"), {"Content-Type": ctype})

        def log_message(self, *args):
            pass

    return Handler
