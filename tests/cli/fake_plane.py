"""A fake control plane on a real local HTTP server: scripted run progressions and log pages.

Every run it answers is a real record (functions/core/records.Run) seen through the API's own view
(functions/api/views.run_view), and every error a real error of functions/core/errors.py in the
API's own envelope (functions/http_errors.error_body): the fake cannot drift from the API's JSON."""
import dataclasses
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from functions.api import runs as api_runs, ssh_keys
from functions.api.views import instance_view, run_view, snapshot_view
from functions.core.clock import parse_iso
from functions.core.errors import Conflict, SkyReplError, run_not_found
from functions.core.records import Interruption, Run, Snapshot, SshKey
from functions.http_errors import error_body
from functions.store import runs as store_runs
from local.http_reply import reply
from tests import records
from tests.cli.fake_bucket import FILES, FakeBucket

POLL_AFTER_MS = 4000  # what the API suggests after a page with nothing new (functions/settings.py's default)
PAGE_ENTRIES = 2  # entries per log page: small, so that every follow has to page
CREATED_AT = "2026-11-26T17:00:00.000Z"  # every scripted run's creation, unless a test says otherwise
OWNER = "arn:aws:iam::123456789012:user/alice"  # make_run's owner: the caller of every request


def record_fields(fields: dict) -> dict:
    """Fields as a test names them on the wire, as the record's: an ISO `x_at` is `x_ms`, a list a
    tuple, an interruption {"action", "at", "reported_at"} an Interruption. Any other name is the
    record's own (an unknown one fails in dataclasses.replace)."""
    out = {}
    for name, value in fields.items():
        if name == "interruption" and isinstance(value, dict):
            value = Interruption(value["action"], parse_iso(value["at"]), parse_iso(value["reported_at"]))
        elif name.endswith("_at"):
            name, value = name.removesuffix("_at") + "_ms", None if value is None else parse_iso(value)
        elif isinstance(value, list):
            value = tuple(value)
        out[name] = value
    return out


def run_record(run_id: str = "r1", **fields) -> Run:
    """tests/records.make_run, created at CREATED_AT (its deadline an hour on), with `fields` (wire names)."""
    fields = record_fields(fields)
    return records.make_run(run_id, created_ms=fields.pop("created_ms", parse_iso(CREATED_AT)), **fields)


def make_run(run_id: str = "r1", **fields) -> dict:
    """A run as the API answers it (RUN in docs/protocol.md)."""
    return run_view(run_record(run_id, **fields))


def make_instance(instance_key: str = "k1", **fields) -> dict:
    """An instance as GET /v1/instances lists it."""
    return instance_view(records.make_instance(instance_key, **record_fields(fields)))


def make_snapshot(snapshot_id: str, **fields) -> dict:
    """A snapshot as the API answers it (SNAPSHOT in docs/protocol.md)."""
    snapshot = Snapshot(snapshot_id=snapshot_id, owner=OWNER, name="my-env", state="pending", region="us-east-1",
                        arch="amd64", source_run="r1", source_instance="i-0abc", created_ms=parse_iso(CREATED_AT))
    return snapshot_view(dataclasses.replace(snapshot, **record_fields(fields)))


class FakePlane:
    def __init__(self):
        self.requests = []  # dicts: method, path, query, headers, body
        self.scripts = {}  # run id -> {"steps", "step", "run" (a Run), "logs"}
        self.errors = {}  # (method, path) -> (status, payload)
        self.routes = {}  # (method, path) -> (status, payload): canned answers for simple routes
        self.upload_url = None  # what POST /v1/workdirs answers: None = already uploaded
        self.uploads = []  # (path, headers, bytes) of each PUT
        self.flakes = {}  # (method, path) -> statuses still to answer before the normal answer
        self.listed, self.instances, self.created = [], [], None
        self.bucket = FakeBucket()  # runs' artifacts, and their bytes at local "presigned" URLs
        self.ssh_keys, self.acked, self.key_events = {}, {}, 0  # run id -> {fingerprint: SshKey}; -> acked id
        self.agent_acks = True  # False: no agent ever installs a key
        self.lock = threading.Lock()

    def script(self, run_id: str, *steps, **fields) -> dict:
        """Each read of the run (GET run or logs) moves it one step on: (status or fields, [(stream, data)]),
        fields by their wire names (record_fields). Returns the run as the API answers it at first."""
        run = run_record(run_id, **fields)
        self.scripts[run_id] = {"steps": list(steps), "step": -1, "run": run, "logs": []}
        self.created = self.created or run_id
        return run_view(run)

    def fail(self, method: str, path: str, err: SkyReplError | None = None, *, status: int | None = None,
             raw=None) -> None:
        """The route answers the API's error `err` (its status, in the API's envelope); or, for an
        answer that is not the API's (a gateway's, S3's), `status` with the body `raw`."""
        self.errors[(method, path)] = (err.status, error_body(err)) if err is not None else (status, raw)

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
            script = self.scripts[self.created]
            if "artifacts" in body:  # kept, as the API keeps them on the run record
                script["run"] = dataclasses.replace(script["run"], artifacts=tuple(body["artifacts"]))
            return 201, {"run": run_view(script["run"])}
        if method == "GET" and path.startswith(FILES):
            return self.bucket.serve(path)
        if (method, path) == ("GET", "/v1/runs"):
            return self._runs_page(query)
        if (method, path) == ("GET", "/v1/instances"):
            return 200, {"instances": self.instances}
        if match := re.fullmatch(r"/v1/runs/([^/]+)/ssh-keys", path):
            return self._ssh_keys(method, match.group(1), body)
        return self._run_route(method, path, query)

    def _ssh_keys(self, method: str, run_id: str, body) -> tuple:
        """The API's own checks and views (functions/api/ssh_keys.py): a run with a running instance in
        `instances` takes keys, valid 12 h from CREATED_AT; its agent acks each key's event at the GET
        after the first one that lists it (unless agent_acks is False)."""
        live = next((i for i in self.instances if i["run_id"] == run_id and i["state"] == "running"), None)
        if live is None and run_id not in self.scripts:
            return 404, error_body(run_not_found(run_id))
        keys, acked = self.ssh_keys.setdefault(run_id, {}), records.make_instance(acked_event_id=self.acked.get(run_id))
        if method == "GET":
            if self.agent_acks and keys:
                self.acked[run_id] = max(k.event_id for k in keys.values())
            return 200, {"run_id": run_id, "ssh_keys": [ssh_keys.key_view(run_id, k, acked) for k in keys.values()]}
        try:
            if live is None:
                raise Conflict(f"run_id: run {run_id} is booting; SSH keys are only for a running run", field="run_id")
            line, fingerprint = ssh_keys.parse_public_key(body["public_key"])
        except SkyReplError as err:
            return err.status, error_body(err)
        self.key_events += 1
        new, created = fingerprint not in keys, parse_iso(CREATED_AT)
        keys[fingerprint] = SshKey(line, fingerprint, created, created + 12 * 3_600_000, self.key_events)
        return 201 if new else 200, ssh_keys.key_view(run_id, keys[fingerprint], acked)

    def _run_route(self, method: str, path: str, query: dict) -> tuple:
        """/v1/runs/{id}, its logs, its artifacts and its cancel, answered from the run's script."""
        match = re.fullmatch(r"/v1/runs/([^/]+)(/logs|/cancel|/artifacts)?", path)
        script = self.scripts.get(match.group(1)) if match else None
        if script is None:
            return 404, error_body(run_not_found(match.group(1) if match else path))
        if match.group(2) == "/artifacts":
            return 200, {"run_id": match.group(1), "artifacts": self.bucket.listing(match.group(1), self.url)}
        if method == "POST":
            return 202, {"run": run_view(dataclasses.replace(script["run"], status="running"))}
        self._advance(script)
        if match.group(2) == "/logs":
            return 200, self._page(script, int(query.get("after", ["0"])[0]))
        return 200, {"run": run_view(script["run"])}

    def _runs_page(self, query: dict) -> tuple:
        """GET /v1/runs as the API pages it (protocol §1): `limit` 1-200, opaque cursors, newest first.
        A limit or cursor the API would refuse is refused by the API's own checks."""
        limit, cursor = query.get("limit", [None])[0], query.get("cursor", [""])[0]
        try:
            size = api_runs._limit(int(limit or 50))  # the CLI sends digits; the API's model takes only those
            if cursor and not re.fullmatch(r"after-\d+", cursor):  # not one of this fake's cursors
                store_runs._start_key(cursor, OWNER)
        except SkyReplError as err:
            return err.status, error_body(err)
        start = int(cursor.removeprefix("after-")) if cursor else 0
        end = min(start + size, len(self.listed))
        return 200, {"runs": self.listed[start:end], "next_cursor": f"after-{end}" if end < len(self.listed) else None}

    def _advance(self, script: dict) -> None:
        if script["step"] + 1 >= len(script["steps"]):
            return
        script["step"] += 1
        fields, entries = script["steps"][script["step"]]
        fields = {"status": fields} if isinstance(fields, str) else fields
        script["run"] = dataclasses.replace(script["run"], **record_fields(fields))
        for stream, data in entries:
            script["logs"].append({"seq": len(script["logs"]) + 1, "stream": stream, "data": data})

    def _page(self, script: dict, after: int) -> dict:
        entries = [e for e in script["logs"] if e["seq"] > after][:PAGE_ENTRIES]
        return {"entries": entries, "next": entries[-1]["seq"] if entries else after, "run": run_view(script["run"]),
                "poll_after_ms": POLL_AFTER_MS}

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
