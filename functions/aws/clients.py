"""One boto3 client per (service, region), created on first use and kept for the life of the process.

Clients are created lazily (never at import: tests start moto first) and cached so that a warm
Lambda reuses its connections, and so tests can register botocore hooks on the very client the
provider will use. boto3 honours AWS_ENDPOINT_URL itself, which is how embedded mode reaches moto.
"""
import os
import threading

import boto3
from botocore.config import Config

# botocore's "standard" mode retries throttling and transient network errors with jittered
# backoff; what is still failing after these attempts reaches errors.translate().
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})

_clients: dict = {}
# boto3's default session is not thread-safe while it creates clients (embedded mode runs the
# sweeper and the workflow's tasks on threads of one process).
_lock = threading.Lock()


def _client(service: str, region: str):
    key = (service, region)
    with _lock:
        if key not in _clients:
            _clients[key] = boto3.client(service, region_name=region, config=_CONFIG)
        return _clients[key]


def ec2(region: str):
    return _client("ec2", region)


def sts(region: str):
    return _client("sts", region)


def ssm(region: str):
    return _client("ssm", region)


def s3(region: str):
    """Presigned URLs must work where the agent is: on AWS the regional virtual-host name; behind an
    emulator's single endpoint (AWS_ENDPOINT_URL, embedded mode), the bucket in the path."""
    key = ("s3", region)
    with _lock:
        if key not in _clients:
            style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "virtual"
            _clients[key] = boto3.client("s3", region_name=region, config=_CONFIG.merge(
                Config(signature_version="s3v4", s3={"addressing_style": style})))
        return _clients[key]


def reset() -> None:
    """Forget every client (tests and local/ call this after changing the environment)."""
    with _lock:
        _clients.clear()
