"""boto3 Table objects, created lazily (never at import: tests start moto first).

boto3 resources are not thread-safe: a Lambda is single-threaded, but the embedded stack runs the
handlers on many threads (gateway requests, Step Functions tasks, the sweeper), so each thread
gets its own resource.
"""
import threading

import boto3

from functions.settings import settings

_local = threading.local()
_generation = [0]  # bumped by reset(): every thread's cached resource is then rebuilt


def _resource():
    if getattr(_local, "generation", None) != _generation[0]:
        _local.resource = boto3.session.Session().resource("dynamodb", region_name=settings().default_region)
        _local.generation = _generation[0]
    return _local.resource


def runs():
    return _resource().Table(settings().runs_table)


def instances():
    return _resource().Table(settings().instances_table)


def logs():
    return _resource().Table(settings().logs_table)


def kv():
    return _resource().Table(settings().kv_table)


def snapshots():
    return _resource().Table(settings().snapshots_table)


def reset() -> None:
    """Forget cached resources and settings (tests and local/ call this after changing the environment)."""
    _generation[0] += 1
    settings.cache_clear()
