"""Canonical's Ubuntu images, seeded into the emulated EC2 (moto ships none newer than xenial).

They are owned by Canonical's account, so the provider's real DescribeImages(Owners=[099720109477],
name pattern) lookup finds them, under `moto.mock_aws()` and the embedded moto server alike.
Names follow Canonical's published naming (see functions/aws/amis.py); each version x arch gets
several build dates so that "the newest" means something.
"""
import hashlib
from datetime import datetime, timezone

from functions.aws.permissions import CANONICAL
from local import moto_internals

DEFAULT_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")
EC2_ARCH = {"amd64": "x86_64", "arm64": "arm64"}
# (version, release, name prefix, build serials); jammy is published under both prefixes
SERIES = (
    ("noble", "24.04", "hvm-ssd-gp3", ("20240423", "20250115", "20250610")),
    ("jammy", "22.04", "hvm-ssd", ("20240301", "20250112")),
    ("jammy", "22.04", "hvm-ssd-gp3", ("20250305",)),
    ("focal", "20.04", "hvm-ssd", ("20240710", "20250403")),
)


def canonical_images(region: str) -> list[dict]:
    """What Canonical publishes in a region (newest per version x arch last); ids derive from region and name."""
    images = []
    for version, release, prefix, serials in SERIES:
        for arch in EC2_ARCH:
            for serial in serials:
                name = f"ubuntu/images/{prefix}/ubuntu-{version}-{release}-{arch}-server-{serial}"
                images.append({"image_id": _ami_id(region, name), "name": name,
                               "description": f"Canonical, Ubuntu, {release}, {arch} {version} image",
                               "architecture": EC2_ARCH[arch],
                               "created": datetime.strptime(serial, "%Y%m%d").replace(hour=4, tzinfo=timezone.utc)})
    return images


def seed_canonical_amis(regions=DEFAULT_REGIONS) -> None:
    """Idempotent: an image already there is kept."""
    for region in regions:
        moto_internals.seed_public_images(region, canonical_images(region), CANONICAL)


def _ami_id(region: str, name: str) -> str:
    return "ami-0" + hashlib.sha256(f"{region}/{name}".encode()).hexdigest()[:16]  # 17 hex digits, as EC2's
