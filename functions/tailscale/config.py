"""Where the control plane finds its Tailscale API key: SSM parameters, never an environment variable.

A warm Lambda keeps what it read for a few minutes (a new key takes effect without a redeploy);
clients.reset() or reset() forget it at once.
"""
import os
import threading
import time
from dataclasses import dataclass, field

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.settings import settings
from functions.tailscale import API_KEY_PARAMETER, TAILNET_PARAMETER

DEFAULT_API_URL = "https://api.tailscale.com/api/v2"
API_URL_ENV = "TAILSCALE_API_URL"  # tests and embedded mode point it at a local stand-in
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Config:
    tailnet: str
    api_url: str
    api_key: str = field(repr=False)  # never in a repr, a log line or an error message


_cache: dict = {}
_lock = threading.Lock()


def load() -> Config | None:
    """The configuration, or None unless both parameters exist."""
    region = settings().default_region
    ssm = clients.ssm(region)
    with _lock:
        hit = _cache.get("entry")
        if hit and hit[0] is ssm and hit[1] > time.monotonic():  # a new client (clients.reset()) misses
            return hit[2]
    api_key, tailnet = _read(ssm, region, API_KEY_PARAMETER), _read(ssm, region, TAILNET_PARAMETER)
    found = None
    if api_key and tailnet:
        found = Config(tailnet=tailnet, api_url=os.environ.get(API_URL_ENV) or DEFAULT_API_URL, api_key=api_key)
    with _lock:
        _cache["entry"] = (ssm, time.monotonic() + CACHE_SECONDS, found)
    return found


def configured() -> bool:
    return load() is not None


def save(api_key: str, tailnet: str) -> None:
    """Store both parameters: what the README's two `aws ssm put-parameter` commands do."""
    region = settings().default_region
    with aws_call("ssm:PutParameter", region):
        clients.ssm(region).put_parameter(Name=API_KEY_PARAMETER, Value=api_key, Type="SecureString",
                                          Overwrite=True)
        clients.ssm(region).put_parameter(Name=TAILNET_PARAMETER, Value=tailnet, Type="String", Overwrite=True)
    reset()


def reset() -> None:
    with _lock:
        _cache.clear()


def _read(ssm, region: str, name: str) -> str | None:
    found = None
    with aws_call("ssm:GetParameter", region), tolerating("ParameterNotFound"):
        found = ssm.get_parameter(Name=name, WithDecryption=True)
    return found["Parameter"]["Value"].strip() if found else None
