"""local/amis.py: Canonical's images seeded into moto, idempotently, for mock_aws and the embedded server."""
import urllib.request
from collections import Counter

import boto3

from functions.aws.amis import CANONICAL
from local.amis import canonical_images, seed_canonical_amis
from local.serving import MotoServer
from tests.functions.conftest import REGION

SEEDED = {image["name"] for image in canonical_images(REGION)}


def seeded_in(ec2) -> dict:
    """name -> image, for the seeded names only (moto also ships trusty and xenial as Canonical's)."""
    return {i["Name"]: i for i in ec2.describe_images(Owners=[CANONICAL])["Images"] if i["Name"] in SEEDED}


def test_every_version_and_arch_has_several_builds():
    # e.g. ubuntu-noble-24.04-amd64-server, whatever the prefix
    per_series = Counter(name.split("/")[-1].rsplit("-", 1)[0] for name in SEEDED)
    assert len(per_series) == 6 and min(per_series.values()) >= 2


def test_seeding_twice_adds_nothing(aws):
    ec2 = boto3.client("ec2", region_name=REGION)
    before = {name: i["ImageId"] for name, i in seeded_in(ec2).items()}
    seed_canonical_amis(regions=(REGION,))
    assert {name: i["ImageId"] for name, i in seeded_in(ec2).items()} == before and set(before) == SEEDED


def test_seeded_images_are_served_by_an_in_process_moto_server(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    server = MotoServer(0)  # the embedded stack's own (local/serving.py), on a port it binds itself
    port = server.port
    server.start()
    try:
        seed_canonical_amis(regions=("ap-southeast-1",))
        ec2 = boto3.client("ec2", region_name="ap-southeast-1", endpoint_url=f"http://127.0.0.1:{port}")
        images = seeded_in(ec2).values()
        assert len(images) == len(SEEDED) and {i["Architecture"] for i in images} == {"x86_64", "arm64"}
        assert all(i["Public"] and i["RootDeviceType"] == "ebs" and i["State"] == "available" for i in images)
    finally:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"))
        server.stop()
