"""startup(): credentials checked, security group + key pair created once per region, then cached."""
import boto3
import pytest

from functions.aws import clients, provider
from functions.aws.permissions import KEY_PARAMETER_PREFIX
from functions.store import kv
from tests.functions.conftest import OTHER_REGION, REGION, calls, inject

MANAGED = {"Key": "skyrepl:managed", "Value": "true"}


def test_startup_creates_group_key_pair_and_secret(aws):
    result = provider.startup(OTHER_REGION)
    ec2 = boto3.client("ec2", region_name=OTHER_REGION)
    group = ec2.describe_security_groups(GroupIds=[result["security_group_id"]])["SecurityGroups"][0]
    assert group["GroupName"] == "skyrepl-default" and MANAGED in group["Tags"]
    [rule] = group["IpPermissions"]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert [r["CidrIp"] for r in rule["IpRanges"]] == ["0.0.0.0/0"]
    assert [r["CidrIpv6"] for r in rule["Ipv6Ranges"]] == ["::/0"]
    [key] = ec2.describe_key_pairs(KeyNames=["skyrepl-eu-west-1"])["KeyPairs"]
    assert MANAGED in key["Tags"] and {"Key": "Name", "Value": "skyrepl-eu-west-1"} in key["Tags"]
    assert result["key_name"] == "skyrepl-eu-west-1"
    # kept in the control plane's own region, whatever the key's region
    param = boto3.client("ssm", region_name=REGION).get_parameter(
        Name=KEY_PARAMETER_PREFIX + OTHER_REGION, WithDecryption=True)["Parameter"]
    assert param["Type"] == "SecureString" and "PRIVATE KEY-----" in param["Value"]
    assert result == {"account": "123456789012", "security_group_id": group["GroupId"],
                      "key_name": "skyrepl-eu-west-1"} == kv.get("startup#eu-west-1")


def test_a_second_startup_is_a_cache_hit(aws):
    first = provider.startup(REGION)
    ec2_calls, sts_calls = calls(clients.ec2(REGION)), calls(clients.sts(REGION))
    assert provider.startup(REGION) == first
    assert ec2_calls == sts_calls == []


def test_existing_group_and_key_are_reused_untouched(aws):
    first = provider.startup(REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.revoke_security_group_ingress(GroupId=first["security_group_id"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    kv.delete_prefix("startup#")  # e.g. a fresh table: startup runs again against what exists
    seen = calls(clients.ec2(REGION))
    assert provider.startup(REGION) == first
    assert seen == ["DescribeSecurityGroups", "DescribeKeyPairs"]
    group = ec2.describe_security_groups(GroupIds=[first["security_group_id"]])["SecurityGroups"][0]
    assert [r["CidrIp"] for r in group["IpPermissions"][0]["IpRanges"]] == []  # the user's narrowing stays


def test_a_key_pair_whose_private_key_is_lost_does_not_fail_the_launch(aws):
    provider.startup(REGION)
    boto3.client("ssm", region_name=REGION).delete_parameter(Name=KEY_PARAMETER_PREFIX + REGION)
    kv.delete_prefix("startup#")
    result = provider.startup(REGION)
    assert result["key_name"] == "skyrepl-us-east-1" and result["private_key_lost"] is True


@pytest.mark.parametrize("operation, code", [("AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate"),
                                             ("CreateKeyPair", "InvalidKeyPair.Duplicate")])
def test_duplicates_from_a_concurrent_startup_are_tolerated(aws, operation, code):
    inject(clients.ec2(REGION), operation, code)
    result = provider.startup(REGION)
    assert result["security_group_id"].startswith("sg-") and result["key_name"] == "skyrepl-us-east-1"
