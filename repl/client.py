"""JSON over HTTP to the control plane (urllib, stdlib only), with its error envelope turned into exceptions."""
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable

from repl.config import Target
from repl.errors import CliError, ExitCode

TIMEOUT_SECONDS = 30


class ApiError(Exception):
    """The API answered with an error: {"error": {"code", "message", "field"}} (docs/protocol.md)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Unreachable(CliError):
    """No answer at all (refused, reset, timed out): whether the request was acted on is unknown."""


class Client:
    def __init__(self, target: Target, urlopen: Callable | None = None):
        self.target = target
        # an opener of its own: HTTPS_PROXY / NO_PROXY are read now, not when the process first opened a URL
        self.urlopen = urlopen or urllib.request.build_opener().open

    def get(self, path: str, **query) -> dict:
        if query:
            path += "?" + urllib.parse.urlencode(query)
        return self._call("GET", path, None)

    def post(self, path: str, body: dict | None = None, headers: dict | None = None) -> dict:
        # An empty body still gets Content-Length: 0, which some gateways require on a POST.
        return self._call("POST", path, b"" if body is None else json.dumps(body).encode(), headers)

    def put(self, path: str, body: dict) -> dict:
        return self._call("PUT", path, json.dumps(body).encode())

    def patch(self, path: str, body: dict) -> dict:
        return self._call("PATCH", path, json.dumps(body).encode())

    def delete(self, path: str) -> dict:
        return self._call("DELETE", path, None)

    def _call(self, method: str, path: str, data: bytes | None, extra_headers: dict | None = None) -> dict:
        url = self.target.url + path
        headers = {"Content-Type": "application/json", "Accept": "application/json", **(extra_headers or {})}
        headers.update(self.target.auth.headers(method, url, data, headers))
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return _json(response.read(), url)
        except urllib.error.HTTPError as err:
            raise _api_error(err, path) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            reason = getattr(err, "reason", err)
            reason = getattr(reason, "strerror", None) or reason
            raise Unreachable(f"cannot reach the control plane at {self.target.url}: {reason}", ExitCode.USAGE) from None


def _json(raw: bytes, url: str) -> dict:
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise CliError(f"the control plane at {url} did not answer JSON: {raw[:200]!r}") from None


ADMIN_PATH = "/v1/admin/"  # functions/http.py ADMIN: routes the users' IAM policy denies


def _api_error(err: urllib.error.HTTPError, path: str) -> ApiError:
    try:
        body = json.loads(err.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    envelope = body.get("error") if isinstance(body, dict) else None
    if isinstance(envelope, dict):
        return ApiError(err.code, envelope.get("code", ""), envelope.get("message") or f"HTTP {err.code}")
    # API Gateway's own refusals (IAM auth, throttling) answer {"message": ...} or {"Message": ...}.
    text = (body.get("message") or body.get("Message")) if isinstance(body, dict) else None
    text = text or f"HTTP {err.code} {err.reason}"
    if err.code == 403 and path.startswith(ADMIN_PATH):
        text += (f": {path.split('?')[0]} is an administrators' route, which your IAM identity may not call "
                 "(README, Security: the users' and the administrators' policies); ask whoever deployed SkyREPL")
    return ApiError(err.code, "", text)
