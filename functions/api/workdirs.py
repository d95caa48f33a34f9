"""Workdir sync, the API's part: where to upload an archive (unless it is already there), and
checking that a run's archive exists before the run is created."""
from functions.aws import workdirs
from functions.core.errors import Invalid
from functions.core.requests import is_sha256

MAX_ARCHIVE_BYTES = 100 * 1024 * 1024  # repl checks it first and says what to exclude


def upload(owner: str, body) -> dict:
    body = body if isinstance(body, dict) else {}
    sha256, size = body.get("sha256"), body.get("size")
    if not is_sha256(sha256):
        raise Invalid("sha256: must be the archive's SHA-256, 64 lower-case hex digits", field="sha256")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_ARCHIVE_BYTES:
        raise Invalid(f"size: must be the archive's size in bytes, 1 to {MAX_ARCHIVE_BYTES}", field="size")
    key = workdirs.key(owner, sha256)
    # content-addressed: an unchanged tree is already there, and is not uploaded again
    return {"sha256": sha256, "upload_url": None if workdirs.exists(key) else workdirs.upload_url(key, size)}


def archive_key(owner: str, sha256: str) -> str:
    key = workdirs.key(owner, sha256)
    if not workdirs.exists(key):
        raise Invalid(f"workdir: no archive {sha256[:12]}… has been uploaded; upload it first "
                      "(POST /v1/workdirs answers where)", field="workdir")
    return key
