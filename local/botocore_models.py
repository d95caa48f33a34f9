"""One botocore Loader for the whole process: each service's model parsed once, not per session.

moto gives every `mock_aws()` a fresh boto3 default session, and a fresh session a fresh Loader, so
each test (and each embedded-stack restart of the default session) parsed EC2's multi-megabyte JSON
model again: half the CPU time of tests/functions went to json.decode. The models are read-only
data, so sharing them changes nothing else.
"""
from functools import lru_cache

import botocore.loaders
import botocore.session

_ORIGINAL = botocore.loaders.create_loader


@lru_cache(maxsize=None)
def _shared_loader(search_path_string=None):
    return _ORIGINAL(search_path_string)


def install() -> None:
    """Idempotent: sessions created from now on share one Loader per data path."""
    botocore.session.create_loader = _shared_loader
