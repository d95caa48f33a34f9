"""The one place boto3 clients and resources are made: lazily, once, thread-safe, with one reset().

- Never at import: tests start moto first. A warm Lambda reuses its clients and their connections.
- One boto3 Session of our own, used under a lock: creating clients from a session is not
  thread-safe, and the embedded stack runs handlers on many threads (gateway requests, state-machine
  tasks, the sweeper). Clients are then safe to share; resources are not, so each thread gets its own.
- Hooks (botocore events, e.g. `before-call`) registered here reach every client and resource,
  those made before and after: this is how fault injection and the tests' call counting see every
  service. They outlive reset(); unhook with the function hook() returns.
- boto3 honours AWS_ENDPOINT_URL itself, which is how the embedded stack reaches moto.
"""
import os
import threading
from typing import Callable

import boto3
from botocore.config import Config

from functions.settings import settings

# botocore's "standard" mode retries throttling and transient network errors with jittered
# backoff; what is still failing after these attempts reaches errors.translate().
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})
_S3_SIGNING = Config(signature_version="s3v4")

_lock = threading.RLock()
_state = {"session": None, "generation": 0}
_clients: dict = {}  # (service, region) -> client
_resources: list = []  # every resource made since the last reset, on whatever thread
_local = threading.local()  # this thread's resources: (generation, {(service, region): resource})
_hooks: list = []  # (event name, handler)


def _session() -> boto3.session.Session:
    if _state["session"] is None:
        _state["session"] = boto3.session.Session()
    return _state["session"]


def _region(region: str | None) -> str:
    return region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def client(service: str, region: str | None = None):
    key = (service, _region(region))
    with _lock:
        if key not in _clients:
            made = _session().client(service, region_name=key[1], config=_config(service))
            _apply_hooks(made.meta.events)
            _clients[key] = made
        return _clients[key]


def resource(service: str, region: str | None = None):
    """This thread's resource (boto3 resources must not be shared between threads)."""
    key = (service, _region(region))
    with _lock:
        generation, mine = getattr(_local, "resources", (None, {}))
        if generation != _state["generation"]:
            mine = {}
            _local.resources = (_state["generation"], mine)
        if key not in mine:
            made = _session().resource(service, region_name=key[1], config=_config(service))
            _apply_hooks(made.meta.client.meta.events)
            mine[key] = made
            _resources.append(made)
        return mine[key]


def _config(service: str) -> Config:
    if service != "s3":
        return _CONFIG
    # Presigned URLs must work where the agent is: on AWS the regional virtual-host name; behind an
    # emulator's single endpoint (AWS_ENDPOINT_URL, the embedded stack), the bucket in the path.
    style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "virtual"
    return _CONFIG.merge(_S3_SIGNING).merge(Config(s3={"addressing_style": style}))


def ec2(region: str):
    return client("ec2", region)


def sts(region: str):
    return client("sts", region)


def ssm(region: str | None = None):
    return client("ssm", region)


def s3(region: str | None = None):
    return client("s3", region)


def stepfunctions(region: str | None = None):
    return client("stepfunctions", region)


def lambda_(region: str | None = None):
    return client("lambda", region)


def pricing():
    """The Price List API: served from us-east-1 (and two other regions) for the prices of every region."""
    return client("pricing", "us-east-1")


def dynamodb():
    return resource("dynamodb")


def regions(service: str, near: str | None = None) -> list[str]:
    """The regions of `near`'s partition (the default region's) where AWS offers `service`, from
    botocore's endpoint data: no call is made."""
    with _lock:
        session = _session()
        return session.get_available_regions(service, session.get_partition_for_region(_region(near)))


def credentials():
    """The default credential chain's credentials (env vars, ~/.aws, AWS_PROFILE, SSO, IMDS), or None,
    as they are now: a session of its own, since a session keeps the first credentials it found."""
    return boto3.session.Session().get_credentials()


def hook(event: str, handler: Callable) -> Callable[[], None]:
    """Register a botocore event handler on every client and resource; returns its unhook."""
    with _lock:
        _hooks.append((event, handler))
        for made in _made():
            made.register(event, handler)

    def unhook() -> None:
        with _lock:
            if (event, handler) in _hooks:
                _hooks.remove((event, handler))
            for made in _made():
                made.unregister(event, handler)

    return unhook


def _apply_hooks(events) -> None:
    for event, handler in _hooks:
        events.register(event, handler)


def _made() -> list:
    """The event emitters of every client and resource made since the last reset."""
    return [c.meta.events for c in _clients.values()] + [r.meta.client.meta.events for r in _resources]


def generation() -> int:
    """How many reset()s so far: what a cache of an AWS-held value keys on, to go with the clients."""
    return _state["generation"]


def reset() -> None:
    """Forget every client, resource and the session, and the settings (after the environment
    changed, or to model a cold start); hooks stay."""
    with _lock:
        settings.cache_clear()
        _clients.clear()
        _resources.clear()
        _state["session"] = None
        _state["generation"] += 1
