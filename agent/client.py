"""HTTP to the control plane: urllib, JSON, the bearer token, retries with a capped doubling backoff.

The token only ever goes into the Authorization header: never into a URL, an exception or a log line.
"""
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Callable, NamedTuple, Optional

log = logging.getLogger("agent")

PUT_TIMEOUT_SECONDS = 60.0  # per socket read or write of a PUT to a presigned URL
TIMEOUT_SECONDS = 30.0  # per request; a hung call must not stall the heartbeat for longer
GONE_STATUSES = (401, 410)  # token revoked / instance terminated: nothing left to do here


class Response(NamedTuple):
    status: int
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def summary(self) -> str:
        return "HTTP {} {}".format(self.status, self.body[:200].decode("utf-8", "replace").strip())


class TransportError(Exception):
    """The control plane could not be reached or answered garbage (never holds the token)."""


def retryable(status: int) -> bool:
    return status >= 500 or status in (408, 429)


def urllib_transport(method: str, url: str, headers: dict, body: Optional[bytes], timeout: float) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return Response(resp.status, resp.read())
    except urllib.error.HTTPError as err:  # a non-2xx answer is still an answer
        try:
            return Response(err.code, err.read())
        except (OSError, http.client.HTTPException):
            return Response(err.code, b"")
    except urllib.error.URLError as err:
        raise TransportError("{} {}: {}".format(method, url, err.reason))
    except (OSError, http.client.HTTPException) as err:
        raise TransportError("{} {}: {}".format(method, url, type(err).__name__))


class Backoff:
    """Waits first, 2*first, 4*first, ... capped; reset() after a success."""

    def __init__(self, first: float, cap: float, sleep: Callable[[float], None] = time.sleep):
        self.first, self.cap, self._sleep = first, cap, sleep
        self.delay = first

    def reset(self) -> None:
        self.delay = self.first

    def wait(self) -> None:
        self._sleep(self.delay)
        self.delay = min(self.delay * 2, self.cap)


class ApiClient:
    def __init__(self, api_url: str, token: str, backoff_first: float = 1.0, backoff_cap: float = 30.0,
                 transport=urllib_transport, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self._url, self._token, self._transport, self._clock = api_url, token, transport, clock
        self._backoff_args = (backoff_first, backoff_cap, sleep)
        self.last_ok = clock()  # the dead-man's timer: when the control plane last answered 2xx

    def use_token(self, token: str) -> None:
        """From now on, this credential (the session's, held in memory only: never written anywhere)."""
        self._token = token

    def backoff(self) -> Backoff:
        return Backoff(*self._backoff_args)

    def call(self, method: str, path: str, payload=None, headers: Optional[dict] = None) -> Response:
        """One request; raises TransportError when there is no HTTP answer at all."""
        all_headers = {"Authorization": "Bearer " + self._token, "Accept": "application/json"}
        all_headers.update(headers or {})
        body = None
        if payload is not None:
            body = json.dumps(payload).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        resp = self._transport(method, self._url + path, all_headers, body, TIMEOUT_SECONDS)
        if resp.ok:
            self.last_ok = self._clock()
        return resp

    def deliver(self, path: str, payload: dict, what: str) -> Optional[Response]:
        """POST until it is taken (the Response) or refused for good (None, logged); never gives up on
        a network error or a 5xx/408/429, because what we send (logs, exit status) must not be lost."""
        backoff = self.backoff()
        while True:
            try:
                resp = self.call("POST", path, payload)
            except TransportError as err:
                log.warning("%s: %s; retrying in %.1f s", what, err, backoff.delay)
            else:
                if resp.ok:
                    return resp
                if not retryable(resp.status):
                    log.error("%s refused, not retried: %s", what, resp.summary())
                    return None
                log.warning("%s: %s; retrying in %.1f s", what, resp.summary(), backoff.delay)
            backoff.wait()


def put_bytes(url: str, data: bytes) -> Optional[str]:
    """PUT data to a presigned URL (without the agent's token); why it failed, or None."""
    request = urllib.request.Request(url, data=data, method="PUT", headers={
        "Content-Length": str(len(data)), "Content-Type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(request, timeout=PUT_TIMEOUT_SECONDS) as resp:
            resp.read()
    except (OSError, ValueError) as err:  # HTTPError and URLError are OSErrors
        return str(err)
    return None
