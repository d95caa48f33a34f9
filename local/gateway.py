"""A stand-in for API Gateway (an HTTP API, payload format 2.0) on loopback, in front of the two API Lambdas.

User routes need the embedded stack's local token (as IAM auth would need a signature); the caller
then acts as one local identity. Agent routes pass through: the agent API checks instance tokens.
Requests are served concurrently, each by an execution environment of its function. A caller that
may wait (`?wait=SECONDS`) for an answer that has nothing new is held until it would (local/changes.py).
"""
import base64
import hmac
import json
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from local.changes import CHANGED, WAIT, Changes, keys, max_wait_seconds
from local.http_reply import reply
from local.meter import meter, route
from local.serving import Served

LOCAL_IDENTITY = "arn:aws:iam::123456789012:user/repl-local"


def to_event(method: str, raw_path: str, headers: dict, body: bytes, user_arn: str | None) -> dict:
    """An HTTP API (payload format 2.0) event, as API Gateway hands it to the Lambda: headers lower-cased
    and a repeated one comma-joined, the IAM caller in requestContext.authorizer.iam (user routes), and the
    path percent-decoded (an HTTP API's rawPath is, unlike a REST API's): `/v1/runs/r%31` is run `r1`."""
    url = urlsplit(raw_path)
    path = unquote(url.path, errors="replace")  # bytes that are not UTF-8: U+FFFD, never a lone surrogate
    params: dict = {}
    for k, v in parse_qsl(url.query, keep_blank_values=True):
        params[k] = f"{params[k]},{v}" if k in params else v
    lowered: dict = {}
    for k, v in headers.items():
        lowered[k.lower()] = f"{lowered[k.lower()]},{v}" if k.lower() in lowered else v
    text, is_b64 = (body.decode("utf-8"), False) if _is_text(body) else (base64.b64encode(body).decode(), True)
    context = {"accountId": "123456789012", "apiId": "local", "domainName": "127.0.0.1", "requestId": str(uuid.uuid4()),
               "routeKey": "$default", "stage": "$default", "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000"),
               "timeEpoch": int(time.time() * 1000),
               "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                        "userAgent": lowered.get("user-agent", "")}}
    if user_arn:
        context["authorizer"] = {"iam": {"accountId": "123456789012", "userArn": user_arn, "callerId": "local",
                                         "userId": "local"}}
    return {"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": url.query,
            "headers": lowered, "queryStringParameters": params or None, "requestContext": context,
            "body": text if body else None, "isBase64Encoded": is_b64}


class _Server(ThreadingHTTPServer):
    # The listen backlog (socketserver's default is 5): fifty `repl` processes starting at once must not have
    # their connections dropped, which they would see as a control plane that is not there.
    request_queue_size = 256


def _wait_seconds(path: str) -> float:
    """`?wait=SECONDS`: how long the caller lets an answer with nothing new be held (0: not at all)."""
    try:
        return max(0.0, float(parse_qs(urlsplit(path).query).get("wait", ["0"])[-1]))
    except ValueError:
        return 0.0


def _is_text(body: bytes) -> bool:
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


class Gateway(Served):
    """`api` and `agent` take an API Gateway proxy event and return the Lambda's answer (or raise, for a
    502): pools of execution environments (local/environments.py) on the embedded stack."""

    def __init__(self, api: Callable[[dict], dict], agent: Callable[[dict], dict], token: str, port: int,
                 changes: Changes | None = None):
        self.api, self.agent, self.token = api, agent, token
        self.changes = changes or Changes()
        self.server = _Server(("127.0.0.1", port), self._request_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.requests = 0  # answered so far (bench/ reads it)

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        if path == "/_local/meter" and self._authorized(headers):  # bench/cost.py: what was served
            return 200, {"Content-Type": "application/json"}, json.dumps(meter.snapshot()).encode()
        if path.startswith("/v1/agent/"):
            invoke, user, function = self.agent, None, "AgentApi"
        elif self._authorized(headers):
            invoke, user, function = self.api, LOCAL_IDENTITY, "Api"
        else:
            return 401, {"Content-Type": "application/json"}, json.dumps({"error": {
                "code": "unauthorized", "message": "authorization: the embedded stack needs its local token "
                                                   "(repl reads it from ~/.repl/local/state.json)"}}).encode()
        until = time.monotonic() + min(_wait_seconds(path), max_wait_seconds())
        meter.add("api_requests", route(method, path), bytes_in=len(body))
        while True:
            since, began = self.changes.now(), time.monotonic()
            try:
                res = invoke(to_event(method, path, headers, body, user))
            except Exception:  # noqa: BLE001 - API Gateway answers 502 when the Lambda fails
                return 502, {"Content-Type": "application/json"}, b'{"message": "Internal server error"}'
            finally:
                meter.add("lambda", function, seconds=time.monotonic() - began)
            merged = dict(res.get("headers") or {})
            for k, values in (res.get("multiValueHeaders") or {}).items():
                merged[k] = ", ".join(values)
            self.changes.bump(*keys(merged.pop(CHANGED, None)))
            wait_on, left = merged.pop(WAIT, None), until - time.monotonic()
            # An answer with nothing new, to a caller that may wait: hold it until that changes, then ask again.
            if not (wait_on and left > 0 and res.get("statusCode") == 200 and self.changes.wait(wait_on, since, left)):
                break
        self.requests += 1
        out = res.get("body") or ""
        data = base64.b64decode(out) if res.get("isBase64Encoded") else out.encode()
        return res.get("statusCode", 200), merged, data

    def _authorized(self, headers: dict) -> bool:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        return hmac.compare_digest(auth.encode(), f"Bearer {self.token}".encode())

    def _request_class(self):
        gateway = self

        class Request(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _do(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = gateway.handle(self.command, self.path, dict(self.headers.items()), body)
                reply(self, status, b"" if self.command == "HEAD" else data, headers)  # HEAD: headers only

            def __getattr__(self, name):
                # The HTTP API's routes are ANY: every method reaches the function (which answers 405 for a
                # method a path has not), where http.server alone would answer an unknown one 501.
                if name.startswith("do_"):
                    return self._do
                raise AttributeError(name)

            def log_message(self, *args):
                pass

        return Request
