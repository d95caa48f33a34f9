"""The S3 side of run artifacts: artifacts/<run id>/<path> in the run-files bucket."""
from functions.aws import run_files
from functions.aws.permissions import ARTIFACT_PREFIX
from functions.core.clock import iso

UPLOAD_SECONDS = 3_600  # the agent uploads them one after another: a slow line and big files
DOWNLOAD_SECONDS = 3_600  # `repl artifact download` fetches them one after another


def _run_prefix(run_id: str) -> str:
    return f"{ARTIFACT_PREFIX}{run_id}/"


def upload_url(run_id: str, path: str, size: int) -> str:
    return run_files.put_url(_run_prefix(run_id) + path, size, UPLOAD_SECONDS)


def of_run(run_id: str) -> list[dict]:
    """The run's uploaded artifacts by path: size, MD5 (S3's ETag of a one-PUT object), time, a GET URL."""
    prefix = _run_prefix(run_id)
    found = [{"path": obj["Key"][len(prefix):], "size": obj["Size"], "md5": _md5(obj.get("ETag")),
              "modified_at": iso(int(obj["LastModified"].timestamp() * 1000)),
              "url": run_files.get_url(obj["Key"], DOWNLOAD_SECONDS)}
             for obj in run_files.listing(prefix)]
    return sorted(found, key=lambda a: a["path"])


def _md5(etag: str | None) -> str | None:
    """A one-PUT object's ETag is its MD5 under SSE-S3; a multipart or KMS one's is not (then None)."""
    value = (etag or "").strip('"')
    return value if len(value) == 32 and all(c in "0123456789abcdef" for c in value) else None
