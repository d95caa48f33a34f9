"""The S3 side of workdir sync: content-addressed archives per owner (functions/aws/run_files.py)."""
import hashlib

from functions.aws import run_files
from functions.aws.permissions import WORKDIR_PREFIX as PREFIX

UPLOAD_SECONDS = 900  # long enough for a 100 MB upload on a slow line
DOWNLOAD_SECONDS = 3_600  # the agent fetches it once the instance has booted


def key(owner: str, sha256: str) -> str:
    # the owner's hash: an ARN in a key would be a path of its own, and the same tree of two owners
    # is two objects (one cannot learn, by its absence, what another has uploaded)
    return f"{PREFIX}{hashlib.sha256(owner.encode()).hexdigest()[:32]}/{sha256}.tar.gz"


def exists(object_key: str) -> bool:
    return run_files.exists(object_key)


def upload_url(object_key: str, size: int) -> str:
    return run_files.put_url(object_key, size, UPLOAD_SECONDS)


def download_url(object_key: str) -> str:
    return run_files.get_url(object_key, DOWNLOAD_SECONDS)
