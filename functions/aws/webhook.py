"""The run-end webhook: a run's end POSTed as JSON, signed, to the URL given at deploy (`-c webhook_url`).

Signature: `X-Skyrepl-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>`, the timestamp
(epoch seconds) in `X-Skyrepl-Timestamp`: a receiver recomputes it over the raw body and refuses a stale
timestamp (a replay). The secret is an SSM SecureString made on first need (README "Metrics and alarms").
Best effort: one attempt per call, bounded by TIMEOUT_SECONDS; a failure is logged (never the secret) and
the run's end is not changed or held up by it; the sweeper calls again later (functions/aws/run_end.py).
"""
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.request

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.observability import logger
from functions.settings import WEBHOOK_SECRET_PARAMETER, settings

TIMEOUT_SECONDS = 2.0  # the whole POST (connect and answer): a hanging receiver delays a run's end this much
SIGNATURE_HEADER, TIMESTAMP_HEADER = "X-Skyrepl-Signature", "X-Skyrepl-Timestamp"

_lock = threading.Lock()
_cached: dict = {}  # (clients' generation, region) -> secret: a reset (tests: another moto) reads it again


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The header's value: what a receiver recomputes and compares (hmac.compare_digest)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def notify(payload: dict) -> bool:
    """POST payload to the configured URL; whether the receiver answered 2xx (False: no URL, or failed)."""
    url = settings().webhook_url
    if not url:
        return False
    try:
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "skyrepl-webhook",
            TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret(), timestamp, body)})
        with _no_redirects().open(request, timeout=TIMEOUT_SECONDS) as answer:
            return 200 <= answer.status < 300
    except Exception as err:  # noqa: BLE001 - best effort: the run has ended whatever the receiver does
        logger.warning("run-end webhook not delivered", extra={"run_id": payload.get("run_id"),
                                                               "error": type(err).__name__})
        return False


def secret() -> str:
    place = (clients.generation(), settings().default_region)
    with _lock:
        if place not in _cached:
            _cached[place] = _read(place[1]) or _create(place[1])
        return _cached[place]


def _read(region: str) -> str | None:
    found = None
    with aws_call("ssm:GetParameter", region), tolerating("ParameterNotFound"):
        found = clients.ssm(region).get_parameter(Name=WEBHOOK_SECRET_PARAMETER, WithDecryption=True)
    return found["Parameter"]["Value"] if found else None


def _create(region: str) -> str:
    with aws_call("ssm:PutParameter", region), tolerating("ParameterAlreadyExists"):
        clients.ssm(region).put_parameter(
            Name=WEBHOOK_SECRET_PARAMETER, Type="SecureString", Overwrite=False, Value=secrets.token_hex(32),
            Description="signs SkyREPL's run-end webhook (X-Skyrepl-Signature); the receiver verifies with it")
    return _read(region)  # another environment's, if it was first


class _Refuse(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):  # a redirect is not followed: the body goes to the URL given
        return None


def _no_redirects() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_Refuse)
