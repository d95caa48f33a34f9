"""The run-files bucket (synced working directories in, artifacts out): presigned URLs, a HEAD and a
listing. Bytes only ever move between the user's or the agent's machine and S3 by presigned URL:
nothing large passes through Lambda or API Gateway."""
from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.settings import settings


def _s3():
    return clients.s3(settings().default_region)


def exists(key: str) -> bool:
    found = None
    with aws_call("s3:GetObject", settings().default_region), tolerating("404", "NoSuchKey", "NotFound"):
        found = _s3().head_object(Bucket=settings().run_files_bucket, Key=key)
    return found is not None


def put_url(key: str, size: int, seconds: int) -> str:
    """A PUT of exactly size bytes (S3 checks the Content-Length, which the URL signs)."""
    return _s3().generate_presigned_url(
        "put_object", Params={"Bucket": settings().run_files_bucket, "Key": key, "ContentLength": size},
        ExpiresIn=seconds)


def get_url(key: str, seconds: int) -> str:
    return _s3().generate_presigned_url(
        "get_object", Params={"Bucket": settings().run_files_bucket, "Key": key}, ExpiresIn=seconds)


def listing(prefix: str) -> list[dict]:
    """Every object under prefix (all pages): S3's Key, Size, ETag and LastModified."""
    pages = _s3().get_paginator("list_objects_v2").paginate(Bucket=settings().run_files_bucket, Prefix=prefix)
    with aws_call("s3:ListBucket", settings().default_region):
        return [obj for page in pages for obj in page.get("Contents", [])]
