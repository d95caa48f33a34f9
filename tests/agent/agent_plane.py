"""A fake control plane on 127.0.0.1: the agent routes of docs/protocol.md §2, recording every call.

Tests script it (events to serve, statuses to answer with) and read back what the agent sent.
"""
import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote

from local.http_reply import reply

TOKEN = "ik-test.s3cr3t-never-logged"
SESSION = "ik-test.sess10n.m4c-never-logged"  # what the registration answers: every later call's credential


class FakePlane:
    def __init__(self):
        self.calls = []  # (method, path, lower-cased headers, json body or None), in arrival order
        self.events = []  # (id, type, data)
        self.answers = {}  # path -> list of statuses to answer with first, one per call
        self.gone = False  # answer 410 to events from now on
        self.retry_ms = 50
        self.run_env = {}  # what GET /v1/agent/env answers (the run's --env values)
        self.stored = {}  # artifact path -> the bytes PUT to its "presigned" URL (/s3/<path> here)
        self.put_delay = 0.0  # seconds each PUT takes: a slow line to S3
        self.chunks = {}  # log chunk key -> the bytes PUT to its upload URL
        self.registration = {}  # more of the register answer: output policy, log_seq, start_run
        self.attached = None  # what log answers say of a follower (None: nothing)
        self.takes_chunks = True  # False: an upload request answers 400, as a control plane without S3
        self.cond = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = "http://127.0.0.1:{}".format(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add_event(self, event_type, data):
        with self.cond:
            self.events.append((len(self.events) + 1, event_type, data))

    def fail_next(self, path, *statuses):
        with self.cond:
            self.answers.setdefault(path, []).extend(statuses)

    def wait_for(self, predicate, timeout=10.0):
        with self.cond:
            assert self.cond.wait_for(predicate, timeout), "timed out; calls: {}".format(self.paths())
            return predicate()

    def bodies(self, path):
        return [c[3] for c in self.calls if c[1] == path]

    def paths(self):
        return [c[1] for c in self.calls]

    def exited(self):
        found = [b for b in self.bodies("/v1/agent/status") if b.get("status") == "exited"]
        return found[0] if found else None

    def batches(self):
        """What the control plane would store: each seq once (the first copy), its entries, in seq order."""
        batches = {}
        for body in self.bodies("/v1/agent/logs"):
            if "chunk" in body:  # a chunk PUT to its upload URL before, as gzip of the entries' JSON
                batches.setdefault(body["seq"], json.loads(gzip.decompress(self.chunks[_chunk_key(body["seq"])])))
            elif "entries" in body:
                batches.setdefault(body["seq"], body["entries"])
        return [batches[seq] for seq in sorted(batches)]

    def output(self, stream):
        return "".join(e["data"] for batch in self.batches() for e in batch if e["stream"] == stream)

    def answer(self, method, path, headers, body):
        """(status, content type, text) for one call; records it first (its path without the query)."""
        path = path.split("?")[0]
        with self.cond:
            self.calls.append((method, path, headers, body))
            self.cond.notify_all()
            scripted = self.answers.get(path)
            # as the control plane: the boot token registers, the session credential it answers opens the rest
            if headers.get("authorization") != "Bearer " + (TOKEN if path == "/v1/agent/register" else SESSION):
                return 401, "application/json", '{"error": {"code": "unauthorized"}}'
            if scripted:
                return scripted.pop(0), "application/json", '{"error": {"code": "internal"}}'
            if path == "/v1/agent/events":
                return self._events(int(headers.get("last-event-id") or 0))
            if path == "/v1/agent/env":
                return 200, "application/json", json.dumps({"run_id": "r1", "env": self.run_env})
            if path == "/v1/agent/artifacts":
                uploads = [{"path": f["path"], "url": "{}/s3/{}?X-Amz-Signature=x".format(self.url, quote(f["path"]))}
                           for f in body["files"]]
                return 200, "application/json", json.dumps({"uploads": uploads})
            if path == "/v1/agent/register":
                return 200, "application/json", json.dumps({"instance_key": "ik-test", "run_id": "r1",
                                                            "session_token": SESSION, **self.registration})
            if path == "/v1/agent/logs" and "upload" in body and not self.takes_chunks:
                return 400, "application/json", '{"error": {"code": "invalid_request", "field": "upload"}}'
            if path == "/v1/agent/logs" and "upload" in body:
                url = "{}/s3/{}?X-Amz-Signature=x".format(self.url, _chunk_key(body["seq"]))
                return 200, "application/json", json.dumps({"upload_url": url})
            if path == "/v1/agent/logs" and self.attached is not None:
                return 200, "application/json", json.dumps({"ok": True, "attached": self.attached})
            return 200, "application/json", '{"ok": true}'

    def put(self, path, data):
        """A PUT to an upload URL: no bearer token (the URL is the credential), the bytes stored."""
        time.sleep(self.put_delay)
        with self.cond:
            self.calls.append(("PUT", path.split("?")[0], {}, None))
            self.cond.notify_all()
            scripted = self.answers.get(path.split("?")[0])
            if scripted:
                return scripted.pop(0), "application/xml", "<Error/>"
            key = unquote(path.split("?")[0][len("/s3/"):])
            (self.chunks if key.startswith("logs/") else self.stored)[key] = data
            return 200, "application/xml", ""

    def _events(self, after):
        if self.gone:
            return 410, "application/json", '{"error": {"code": "gone"}}'
        frames = ["retry: {}\n\n".format(self.retry_ms)]
        frames += ["id: {}\nevent: {}\ndata: {}\n\n".format(i, t, json.dumps(d)) for i, t, d in self.events if i > after]
        return 200, "text/event-stream", "".join(frames)


def _chunk_key(seq):
    return "logs/{}.json.gz".format(seq)


def _handler_for(plane):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._serve(None)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(json.loads(self.rfile.read(length).decode("utf-8")))

        def do_PUT(self):
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._send(*plane.put(self.path, data))

        def _serve(self, body):
            self._send(*plane.answer(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))

        def _send(self, status, ctype, text):
            reply(self, status, text.encode("utf-8"), {"Content-Type": ctype})

        def log_message(self, *args):
            pass  # keep pytest output clean

    return Handler
