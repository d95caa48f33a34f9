"""Bulk output in S3: a batch the agent finds too big to send inline is a gzip of its entries' JSON at
logs/<run id>/<seq>.json.gz, PUT by the agent and read by followers, both by presigned URL: the
bytes never pass through Lambda, API Gateway or DynamoDB (which keeps a pointer per batch)."""
from functions.aws import run_files
from functions.aws.permissions import LOG_PREFIX

UPLOAD_SECONDS = 900  # the agent PUTs at once
DOWNLOAD_SECONDS = 3_600  # a follower fetches at once; `repl run logs` a page of them in turn
MAX_CHUNK_BYTES = 64 * 1024 * 1024  # compressed; the agent's chunks are 8 MiB of output at most


def key(run_id: str, seq: int) -> str:
    return f"{LOG_PREFIX}{run_id}/{seq}.json.gz"


def upload_url(run_id: str, seq: int, size: int) -> str:
    return run_files.put_url(key(run_id, seq), size, UPLOAD_SECONDS)


def download_url(run_id: str, seq: int) -> str:
    return run_files.get_url(key(run_id, seq), DOWNLOAD_SECONDS)
