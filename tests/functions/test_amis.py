"""resolve_ami(): Canonical's newest image per version x arch, cached for 24 h in kv."""
import time

import boto3
import pytest

from functions.aws import clients, provider
from functions.aws.amis import CANONICAL, name_pattern
from functions.core.errors import AwsError
from functions.store import kv, tables
from local.amis import canonical_images
from tests.functions.conftest import REGION, calls


def newest_name(version: str, arch: str) -> str:
    ours = [i for i in canonical_images(REGION)
            if f"/ubuntu-{version}-" in i["name"] and f"-{arch}-server-" in i["name"]]
    return max(ours, key=lambda i: i["created"])["name"]


@pytest.mark.parametrize("version", ["noble", "jammy", "focal"])
@pytest.mark.parametrize("arch", ["amd64", "arm64"])
def test_the_newest_canonical_image_is_chosen(aws, version, arch):
    image_id = provider.resolve_ami(REGION, version, arch)
    [image] = boto3.client("ec2", region_name=REGION).describe_images(ImageIds=[image_id])["Images"]
    assert image["Name"] == newest_name(version, arch) and image["OwnerId"] == CANONICAL
    assert image["Architecture"] == {"amd64": "x86_64", "arm64": "arm64"}[arch]


def test_name_patterns_follow_canonical_prefixes():
    assert name_pattern("noble", "arm64") == "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*"
    assert name_pattern("jammy", "amd64") == "ubuntu/images/hvm-ssd*/ubuntu-jammy-22.04-amd64-server-*"
    assert name_pattern("focal", "amd64") == "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-*"


def test_a_lookalike_image_from_another_account_is_ignored(aws):
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.register_image(Name="ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-29990101",
                       Architecture="x86_64", RootDeviceName="/dev/sda1")  # newer, but ours, not Canonical's
    [image] = ec2.describe_images(ImageIds=[provider.resolve_ami(REGION, "noble", "amd64")])["Images"]
    assert image["OwnerId"] == CANONICAL


def test_the_answer_is_cached_for_a_day(aws):
    first = provider.resolve_ami(REGION, "noble", "amd64")
    seen = calls(clients.ec2(REGION))
    assert provider.resolve_ami(REGION, "noble", "amd64") == first and seen == []
    item = tables.kv().get_item(Key={"key": "ami#us-east-1#noble#amd64"})["Item"]
    assert item["value"]["image_id"] == first
    assert abs(int(item["expires_at"]) - (time.time() + 24 * 3600)) < 60


def test_clearing_the_cache_forces_a_fresh_lookup(aws):
    provider.resolve_ami(REGION, "noble", "amd64")
    provider.resolve_ami(REGION, "focal", "arm64")
    provider.startup(REGION)  # other kv entries are kept
    assert provider.clear_ami_cache() == 2
    seen = calls(clients.ec2(REGION))
    provider.resolve_ami(REGION, "noble", "amd64")
    assert seen == ["DescribeImages"] and kv.get("startup#us-east-1")


def test_no_image_is_a_clear_provider_error(aws):
    with pytest.raises(AwsError) as err:
        provider.resolve_ami("ap-northeast-1", "noble", "amd64")  # a region without seeded images
    assert "099720109477" in str(err.value) and "ap-northeast-1" in str(err.value) and "noble" in str(err.value)
