"""boto3 Table objects, created lazily (never at import: tests start moto first)."""
from functools import lru_cache

import boto3

from functions.settings import settings


@lru_cache(maxsize=None)
def _resource():
    return boto3.resource("dynamodb", region_name=settings().default_region)


def runs():
    return _resource().Table(settings().runs_table)


def instances():
    return _resource().Table(settings().instances_table)


def logs():
    return _resource().Table(settings().logs_table)


def kv():
    return _resource().Table(settings().kv_table)


def reset() -> None:
    """Forget cached clients and settings (tests and local/ call this after changing the environment)."""
    _resource.cache_clear()
    settings.cache_clear()
