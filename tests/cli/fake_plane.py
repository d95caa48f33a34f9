"""A fake control plane on a real local HTTP server: scripted run progressions and log pages."""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from local.http_reply import reply
from tests.cli.fake_bucket import FILES, FakeBucket

PAGE_ENTRIES = 2  # entries per log page: small, so that every follow has to page


def make_run(run_id: str = "r1", **fields) -> dict:
    run = {"id": run_id, "status": "pending", "exit_code": None, "reason": None, "provider": "aws",
           "spec": "ubuntu:noble:amd64", "instance_type": "t3.micro", "arch": "amd64", "region": "us-east-1",
           "spot": False, "command": "echo hi", "max_duration_ms": 3600000, "instance_id": None,
           "created_at": "2026-11-26T17:00:00.000Z", "started_at": None, "ended_at": None,
           "deadline": "2026-11-26T18:00:00.000Z"}
    return {**run, **fields}


class FakePlane:
    def __init__(self):
        self.requests = []  # dicts: method, path, query, headers, body
        self.scripts = {}  # run id -> {"steps", "step", "run", "logs"}
        self.errors = {}  # (method, path) -> (status, payload)
        self.routes = {}  # (method, path) -> (status, payload): canned answers for simple routes
        self.upload_url = None  # what POST /v1/workdirs answers: None = already uploaded
        self.uploads = []  # (path, headers, bytes) of each PUT
        self.flakes = {}  # (method, path) -> statuses still to answer before the normal answer
        self.listed, self.instances, self.created = [], [], None
        self.bucket = FakeBucket()  # runs' artifacts, and their bytes at local "presigned" URLs
        self.lock = threading.Lock()

    def script(self, run_id: str, *steps, **fields) -> dict:
        """Each read of the run (GET run or logs) moves it one step on: (status or fields, [(stream, data)])."""
        run = make_run(run_id, **fields)
        self.scripts[run_id] = {"steps": list(steps), "step": -1, "run": run, "logs": []}
        self.created = self.created or run_id
        return run

    def fail(self, method: str, path: str, status: int, message: str = "boom", code: str = "internal", raw=None):
        envelope = {"error": {"code": code, "message": message}}
        self.errors[(method, path)] = (status, raw if raw is not None else envelope)

    def calls(self, method: str, path_prefix: str = "") -> list:
        return [r for r in self.requests if r["method"] == method and r["path"].startswith(path_prefix)]

    def flaky(self, method: str, path: str, status: int, times: int) -> None:
        """The next `times` calls of that route answer `status`, as a throttled or failing gateway would."""
        self.flakes[(method, path)] = [status] * times

    def answer(self, method: str, path: str, query: dict, body) -> tuple:
        if self.flakes.get((method, path)):
            return self.flakes[(method, path)].pop(), {"message": "Service Unavailable"}
        for canned in (self.errors, self.routes):
            if (method, path) in canned:
                return canned[(method, path)]
        if (method, path) == ("POST", "/v1/workdirs"):  # the archive is there already, unless told otherwise
            return 200, {"sha256": body["sha256"], "upload_url": self.upload_url}
        if (method, path) == ("POST", "/v1/runs"):
            run = self.scripts[self.created]["run"]
            if "artifacts" in body:  # kept, as the API keeps them on the run record
                run["artifacts"] = body["artifacts"]
            return 201, {"run": run}
        if method == "GET" and path.startswith(FILES):
            return self.bucket.serve(path)
        if (method, path) == ("GET", "/v1/runs"):
            return self._runs_page(query)
        if (method, path) == ("GET", "/v1/instances"):
            return 200, {"instances": self.instances}
        return self._run_route(method, path, query)

    def _run_route(self, method: str, path: str, query: dict) -> tuple:
        """/v1/runs/{id}, its logs, its artifacts and its cancel, answered from the run's script."""
        match = re.fullmatch(r"/v1/runs/([^/]+)(/logs|/cancel|/artifacts)?", path)
        script = self.scripts.get(match.group(1)) if match else None
        if script is None:
            return 404, {"error": {"code": "not_found", "message": f"run_id: run {path} not found"}}
        if match.group(2) == "/artifacts":
            return 200, {"run_id": match.group(1), "artifacts": self.bucket.listing(match.group(1), self.url)}
        if method == "POST":
            return 202, {"run": {**script["run"], "status": "running"}}
        self._advance(script)
        if match.group(2) == "/logs":
            return 200, self._page(script, int(query.get("after", ["0"])[0]))
        return 200, {"run": script["run"]}

    def _runs_page(self, query: dict) -> tuple:
        """GET /v1/runs as the API pages it (protocol §1): `limit` 1-200, opaque cursors, newest first."""
        limit, cursor = int(query.get("limit", ["50"])[0]), query.get("cursor", [""])[0]
        if not 1 <= limit <= 200:
            return 400, {"error": {"code": "invalid_request", "field": "limit",
                                   "message": f"limit: {limit} is out of range; allowed: 1 to 200"}}
        if cursor and not re.fullmatch(r"after-\d+", cursor):
            return 400, {"error": {"code": "invalid_request", "field": "cursor", "message": "cursor: not a cursor "
                                   "this listing returned; pass next_cursor from the previous page"}}
        start = int(cursor.removeprefix("after-")) if cursor else 0
        end = min(start + limit, len(self.listed))
        return 200, {"runs": self.listed[start:end], "next_cursor": f"after-{end}" if end < len(self.listed) else None}

    def _advance(self, script: dict) -> None:
        if script["step"] + 1 >= len(script["steps"]):
            return
        script["step"] += 1
        fields, entries = script["steps"][script["step"]]
        script["run"].update({"status": fields} if isinstance(fields, str) else fields)
        for stream, data in entries:
            script["logs"].append({"seq": len(script["logs"]) + 1, "stream": stream, "data": data})

    def _page(self, script: dict, after: int) -> dict:
        entries = [e for e in script["logs"] if e["seq"] > after][:PAGE_ENTRIES]
        return {"entries": entries, "next": entries[-1]["seq"] if entries else after, "run": dict(script["run"])}

    def handler(self) -> type:
        return type("Handler", (_Handler,), {"plane": self})


class _Handler(BaseHTTPRequestHandler):
    plane: FakePlane

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def do_PUT(self):  # a presigned upload: recorded, answered as S3 does
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.plane.lock:
            self.plane.uploads.append((self.path, dict(self.headers), raw))
        reply(self, 200)

    def _serve(self):
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = {"method": self.command, "path": url.path, "query": parse_qs(url.query),
                   "headers": dict(self.headers), "body": json.loads(raw) if raw else None}
        with self.plane.lock:
            self.plane.requests.append(request)
            status, payload = self.plane.answer(self.command, url.path, request["query"], request["body"])
        raw_bytes = isinstance(payload, bytes)  # an artifact's content
        data = payload if raw_bytes else json.dumps(payload).encode()
        reply(self, status, data, {"Content-Type": "application/octet-stream" if raw_bytes else "application/json"})

    def log_message(self, *args):  # keep pytest's output clean
        pass


def start(plane: FakePlane) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), plane.handler())
    plane.url = f"http://127.0.0.1:{server.server_port}"
    # A short poll interval: shutdown() waits for it, and every test stops a server (0.5 s by default).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    return server
