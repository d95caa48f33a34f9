"""Spot interruption notices from the EC2 instance metadata service, IMDSv2 (spot runs only).

Every poll: PUT /latest/api/token for a session token (kept until shortly before it expires, fetched
again after a 401), then GET /latest/meta-data/spot/instance-action with it. 404 is "no notice"; 200
with {"action": "terminate", "time": "2026-11-26T12:00:00Z"} is the notice, handed on once, after which
polling stops. An IMDS that never answered (not on EC2) is given up after a few tries, logged once.
IMDS is link-local: requests never go through a proxy.
"""
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Callable, NamedTuple, Optional, Tuple

log = logging.getLogger("agent")

TOKEN_PATH = "/latest/api/token"
ACTION_PATH = "/latest/meta-data/spot/instance-action"
TOKEN_TTL_SECONDS = 21600  # IMDSv2's maximum; the token is fetched again a minute before it lapses
TIMEOUT_SECONDS = 2.0  # IMDS answers in milliseconds; off EC2 the link-local address may just hang
UNREACHABLE_TRIES = 3  # failures in a row, before IMDS ever answered, that mean "not on EC2"
NOTICE_LEAD_SECONDS = 120.0  # AWS's two-minute warning: assumed when a notice's time cannot be read
TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Notice(NamedTuple):
    action: str  # terminate, stop or hibernate
    time: str  # when the instance goes, UTC, as "2026-11-26T12:00:00Z"
    at: float  # the same, in epoch seconds


class ImdsError(Exception):
    """IMDS could not be asked, or answered something other than a notice or its absence."""


def request(method: str, url: str, headers: dict) -> Tuple[int, bytes]:
    req = urllib.request.Request(url, data=b"" if method == "PUT" else None, headers=headers, method=method)
    try:
        with _OPENER.open(req, timeout=TIMEOUT_SECONDS) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:  # 404 (no notice) and 401 (token) are answers
        return err.code, b""
    except urllib.error.URLError as err:
        raise ImdsError("{} {}: {}".format(method, url, err.reason))
    except (OSError, http.client.HTTPException) as err:
        raise ImdsError("{} {}: {}".format(method, url, type(err).__name__))


class Imds:
    """One IMDSv2 session against base_url (http://169.254.169.254 on EC2)."""

    def __init__(self, base_url: str, now: Callable[[], float] = time.time):
        self._base, self._now = base_url.rstrip("/"), now
        self._token, self._token_until = None, 0.0  # type: Optional[str], float

    def instance_action(self) -> Optional[Notice]:
        """The pending interruption notice, or None; ImdsError when IMDS cannot tell."""
        for fresh in (False, True):
            headers = {"X-aws-ec2-metadata-token": self._session_token(fresh)}
            status, body = request("GET", self._base + ACTION_PATH, headers)
            if status == 404:
                return None
            if status == 200:
                return parse_notice(body, self._now())
            if status != 401:
                raise ImdsError("GET {}: HTTP {}".format(ACTION_PATH, status))
        raise ImdsError("GET {}: HTTP 401 even with a new token".format(ACTION_PATH))

    def _session_token(self, fresh: bool) -> str:
        if fresh or self._token is None or self._now() >= self._token_until:
            headers = {"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_SECONDS)}
            status, body = request("PUT", self._base + TOKEN_PATH, headers)
            token = body.decode("ascii", "replace").strip()
            if status != 200 or not token:
                raise ImdsError("PUT {}: HTTP {}".format(TOKEN_PATH, status))
            self._token, self._token_until = token, self._now() + TOKEN_TTL_SECONDS - 60
        return self._token


def parse_notice(body: bytes, now: float) -> Optional[Notice]:
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("action"), str) or not data["action"]:
        log.warning("spot/instance-action: unreadable answer %r, ignored", body[:200])
        return None
    at = parse_time(data.get("time"))
    if at is None:
        at = now + NOTICE_LEAD_SECONDS
    stamp = datetime.fromtimestamp(int(at), tz=timezone.utc).strftime(TIME_FORMATS[0])
    return Notice(data["action"], stamp, at)


def parse_time(text) -> Optional[float]:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
        except (TypeError, ValueError):
            continue
    return None


class SpotWatcher:
    """Polls on a thread of its own until a notice (handed to on_notice, once), stop(), or IMDS proves
    unreachable. The first poll is at once: a notice may already be out when the command starts."""

    def __init__(self, imds: Imds, poll_seconds: float, on_notice: Callable[[Notice], None]):
        self._imds, self._poll_seconds, self._on_notice = imds, poll_seconds, on_notice
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="imds", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        failures, answered, warned = 0, False, False
        while not self._stop.is_set():
            try:
                notice = self._imds.instance_action()
            except ImdsError as err:
                failures += 1
                if not answered and failures >= UNREACHABLE_TRIES:
                    log.info("IMDS unreachable (%s): not on EC2? No spot interruption notice will be seen", err)
                    return
                if answered and not warned:  # once per outage: polling goes on
                    log.warning("IMDS: %s; still polling for a spot interruption notice", err)
                    warned = True
            else:
                failures, answered, warned = 0, True, False
                if notice is not None:
                    log.info("spot interruption notice: %s at %s", notice.action, notice.time)
                    self._on_notice(notice)
                    return
            self._stop.wait(self._poll_seconds)
