"""GET /v1/admin/keys/{region}: the key startup() saved; 404 before any launch there; 409, with the way out, once
lost. Under /v1/admin/ so that IAM decides who may read it; the old /v1/keys/{region} is gone."""
import boto3

from functions.aws import clients, provider
from functions.aws.permissions import KEY_PARAMETER_PREFIX
from functions.store import kv
from tests.functions import provision_helpers
from tests.functions.conftest import OTHER_REGION, REGION, calls

api = provision_helpers.api  # a fixture: a fresh account with every table

RECOVER = "aws ec2 delete-key-pair --key-name skyrepl-us-east-1 --region us-east-1"


def _lose_the_private_key() -> None:
    """As if startup()'s SSM write had failed after EC2 created the key pair."""
    provider.startup(REGION)
    boto3.client("ssm", region_name=REGION).delete_parameter(Name=KEY_PARAMETER_PREFIX + REGION)
    kv.delete_prefix("startup#")
    assert provider.startup(REGION)["private_key_lost"] is True


def test_a_region_with_a_launch_answers_its_private_key(api):
    provider.startup(OTHER_REGION)
    status, body = api.call("GET", f"/v1/admin/keys/{OTHER_REGION}")
    saved = boto3.client("ssm", region_name=REGION).get_parameter(
        Name=KEY_PARAMETER_PREFIX + OTHER_REGION, WithDecryption=True)["Parameter"]["Value"]
    assert status == 200 and body == {"region": OTHER_REGION, "key_name": "skyrepl-eu-west-1", "private_key": saved}
    assert saved.startswith("-----BEGIN")


def test_a_region_without_a_launch_is_404_naming_the_region(api):
    status, body = api.call("GET", "/v1/admin/keys/ap-south-1")
    assert (status, body["error"]["code"], body["error"]["field"]) == (404, "not_found", "region")
    assert body["error"]["message"].startswith("region: no launch has happened in ap-south-1 yet")


def test_an_unsigned_call_gets_no_key(api):
    provider.startup(REGION)
    assert api.call("GET", f"/v1/admin/keys/{REGION}", owner=None)[0] == 401


def test_a_lost_key_is_409_saying_how_to_recover(api):
    _lose_the_private_key()
    status, body = api.call("GET", f"/v1/admin/keys/{REGION}")
    assert (status, body["error"]["code"], body["error"]["field"]) == (409, "conflict", "region")
    assert RECOVER in body["error"]["message"] and "next launch" in body["error"]["message"]


def test_a_key_missing_from_ssm_is_409_too(api):
    provider.startup(REGION)
    boto3.client("ssm", region_name=REGION).delete_parameter(Name=KEY_PARAMETER_PREFIX + REGION)
    status, body = api.call("GET", f"/v1/admin/keys/{REGION}")
    assert status == 409 and RECOVER in body["error"]["message"]


def test_while_lost_each_startup_looks_again(api):
    _lose_the_private_key()
    seen = calls(clients.ec2(REGION))
    assert provider.startup(REGION)["private_key_lost"] is True
    assert "DescribeKeyPairs" in seen  # not the cached answer: the user may have deleted the key pair since


def test_startup_recovers_once_the_user_deletes_the_key_pair(api):
    _lose_the_private_key()
    boto3.client("ec2", region_name=REGION).delete_key_pair(KeyName="skyrepl-us-east-1")
    result = provider.startup(REGION)  # the next launch in the region
    assert "private_key_lost" not in result and kv.get(f"startup#{REGION}") == result
    status, body = api.call("GET", f"/v1/admin/keys/{REGION}")
    assert status == 200 and body["private_key"].startswith("-----BEGIN")


def test_the_old_path_for_any_signed_caller_is_gone(api):
    provider.startup(REGION)
    status, body = api.call("GET", f"/v1/keys/{REGION}")
    assert (status, body["error"]["field"]) == (404, "path")
