"""Canonical's Ubuntu images, seeded into moto's EC2 (moto ships none newer than xenial).

Images are inserted straight into moto's in-process backends, owned by Canonical's account, so
the provider's real DescribeImages(Owners=[099720109477], name pattern) lookup finds them. This
works under `moto.mock_aws()` and with a ThreadedMotoServer in the same process (both use the
same backends). Names follow Canonical's published naming (see functions/aws/amis.py); each
version x arch gets several build dates so that "the newest" means something.
"""
import hashlib
from datetime import datetime, timezone

from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami

CANONICAL = "099720109477"
DEFAULT_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")
EC2_ARCH = {"amd64": "x86_64", "arm64": "arm64"}
# (version, release, name prefix, build serials); jammy is published under both prefixes
SERIES = (
    ("noble", "24.04", "hvm-ssd-gp3", ("20240423", "20250115", "20250610")),
    ("jammy", "22.04", "hvm-ssd", ("20240301", "20250112")),
    ("jammy", "22.04", "hvm-ssd-gp3", ("20250305",)),
    ("focal", "20.04", "hvm-ssd", ("20240710", "20250403")),
)


def canonical_images() -> list[dict]:
    """What Canonical publishes, in the shape the seeding needs (newest per version x arch last)."""
    images = []
    for version, release, prefix, serials in SERIES:
        for arch in EC2_ARCH:
            for serial in serials:
                images.append({"name": f"ubuntu/images/{prefix}/ubuntu-{version}-{release}-{arch}-server-{serial}",
                               "description": f"Canonical, Ubuntu, {release}, {arch} {version} image",
                               "architecture": EC2_ARCH[arch],
                               "created": datetime.strptime(serial, "%Y%m%d").replace(hour=4, tzinfo=timezone.utc)})
    return images


def seed_canonical_amis(account_id: str = "123456789012", regions=DEFAULT_REGIONS) -> None:
    """Idempotent: image ids derive from region and name, and an image already there is kept."""
    for region in regions:
        backend = ec2_backends[account_id][region]
        for image in canonical_images():
            ami_id = _ami_id(region, image["name"])
            if ami_id not in backend.amis:
                backend.amis[ami_id] = _ami(backend, region, ami_id, image)


def _ami_id(region: str, name: str) -> str:
    return "ami-0" + hashlib.sha256(f"{region}/{name}".encode()).hexdigest()[:16]  # 17 hex digits, as EC2's


def _ami(backend, region: str, ami_id: str, image: dict) -> Ami:
    return Ami(backend, ami_id=ami_id, name=image["name"], description=image["description"], owner_id=CANONICAL,
               public=True, architecture=image["architecture"], virtualization_type="hvm", hypervisor="xen",
               root_device_type="ebs", root_device_name="/dev/sda1", creation_date=image["created"],
               region_name=f"{region}a")
