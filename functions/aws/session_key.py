"""The deployment's session key (functions/core/tokens.py), an SSM SecureString made on first need.

Read once per execution environment and kept: it never changes, and checking a credential must cost
no call at all (a flood of forged ones would otherwise be a flood of SSM calls, 40 per second at most).
The first AgentApi to need it creates it with Overwrite=False, so two at once agree on one key.
"""
import base64
import secrets
import threading

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.aws.permissions import SESSION_KEY_PARAMETER
from functions.settings import settings

_lock = threading.Lock()
_cached: dict = {}  # (clients' generation, region) -> key: a reset (tests: another moto) reads it again


def get() -> bytes:
    place = (clients.generation(), settings().default_region)
    with _lock:
        if place not in _cached:
            _cached[place] = _read(place[1]) or _create(place[1])
        return _cached[place]


def _read(region: str) -> bytes | None:
    found = None
    with aws_call("ssm:GetParameter", region), tolerating("ParameterNotFound"):
        found = clients.ssm(region).get_parameter(Name=SESSION_KEY_PARAMETER, WithDecryption=True)
    return base64.b64decode(found["Parameter"]["Value"]) if found else None


def _create(region: str) -> bytes:
    with aws_call("ssm:PutParameter", region), tolerating("ParameterAlreadyExists"):
        clients.ssm(region).put_parameter(
            Name=SESSION_KEY_PARAMETER, Type="SecureString", Overwrite=False,
            Value=base64.b64encode(secrets.token_bytes(32)).decode(),
            Description="signs SkyREPL agents' session credentials; deleting it logs every agent out")
    return _read(region)  # another environment's key, if it was first
