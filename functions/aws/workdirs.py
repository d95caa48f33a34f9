"""The S3 side of workdir sync: content-addressed archives per owner, moved only by presigned URLs
(nothing large passes through Lambda or API Gateway)."""
import hashlib

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.aws.permissions import WORKDIR_PREFIX as PREFIX
from functions.settings import settings

UPLOAD_SECONDS = 900  # long enough for a 100 MB upload on a slow line
DOWNLOAD_SECONDS = 3_600  # the agent fetches it once the instance has booted


def key(owner: str, sha256: str) -> str:
    # the owner's hash: an ARN in a key would be a path of its own, and the same tree of two owners
    # is two objects (one cannot learn, by its absence, what another has uploaded)
    return f"{PREFIX}{hashlib.sha256(owner.encode()).hexdigest()[:32]}/{sha256}.tar.gz"


def exists(object_key: str) -> bool:
    region, found = settings().default_region, None
    with aws_call("s3:GetObject", region), tolerating("404", "NoSuchKey", "NotFound"):
        found = clients.s3(region).head_object(Bucket=settings().workdir_bucket, Key=object_key)
    return found is not None


def upload_url(object_key: str, size: int) -> str:
    return clients.s3(settings().default_region).generate_presigned_url(
        "put_object", Params={"Bucket": settings().workdir_bucket, "Key": object_key, "ContentLength": size},
        ExpiresIn=UPLOAD_SECONDS)


def download_url(object_key: str) -> str:
    return clients.s3(settings().default_region).generate_presigned_url(
        "get_object", Params={"Bucket": settings().workdir_bucket, "Key": object_key}, ExpiresIn=DOWNLOAD_SECONDS)
