"""launch / terminate / instance_state / find_run_instances / list_managed against moto's EC2."""
import base64

import boto3

from functions.aws import clients, instances, provider
from functions.core.clock import parse_iso
from tests.functions.conftest import OTHER_REGION, REGION, calls, request


def test_launch_sets_every_run_instances_parameter(aws):
    req = request(spot=True)
    launched = provider.launch(req)
    ec2 = boto3.client("ec2", region_name=REGION)
    [i] = ec2.describe_instances(InstanceIds=[launched["instance_id"]])["Reservations"][0]["Instances"]
    assert (i["ImageId"], i["InstanceType"], i["KeyName"]) == (req.image_id, "t3.micro", "skyrepl-us-east-1")
    assert [g["GroupId"] for g in i["SecurityGroups"]] == [req.security_group_id]
    assert (i["ClientToken"], i["InstanceLifecycle"]) == ("spawn-c1-r1", "spot")
    assert (i["MetadataOptions"]["HttpTokens"], i["MetadataOptions"]["HttpPutResponseHopLimit"]) == ("required", 1)
    attr = lambda name: ec2.describe_instance_attribute(InstanceId=i["InstanceId"], Attribute=name)  # noqa: E731
    assert base64.b64decode(attr("userData")["UserData"]["Value"]).decode() == req.user_data
    assert attr("instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"]["Value"] == "terminate"
    assert launched == {"instance_id": i["InstanceId"], "state": "pending"}


def test_instance_and_volume_carry_every_tag(aws):
    req = request()
    instance_id = provider.launch(req)["instance_id"]
    ec2 = boto3.client("ec2", region_name=REGION)
    [i] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    assert {t["Key"]: t["Value"] for t in i["Tags"]} == req.tags
    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])["Volumes"]
    assert volumes and all({t["Key"]: t["Value"] for t in v["Tags"]} == req.tags for v in volumes)
    assert "InstanceLifecycle" not in i  # on-demand unless asked
    assert req.tags["Name"] == "repl-c1-r1" and req.tags["skyrepl:managed"] == "true"


def test_the_same_client_token_does_not_launch_twice(aws):  # moto honours ClientToken (local/moto_internals.py)
    req = request()
    first, again = provider.launch(req), provider.launch(req)
    assert first["instance_id"] == again["instance_id"]
    assert [i["instance_id"] for i in provider.list_managed(REGION, "c1")] == [first["instance_id"]]


def test_terminate_then_state(aws):
    instance_id = provider.launch(request())["instance_id"]
    assert provider.instance_state(REGION, instance_id) == "running"
    provider.terminate(REGION, instance_id)
    assert provider.instance_state(REGION, instance_id) in ("shutting-down", "terminated")
    assert provider.find_run_instances(REGION, "c1", "r1") == []


def test_an_unknown_instance_is_none_and_terminating_it_is_not_an_error(aws):
    assert provider.instance_state(REGION, "i-0123456789abcdef0") is None
    provider.terminate(REGION, "i-0123456789abcdef0")  # swallowed: callers confirm with instance_state


def launch_mix() -> dict:
    """Ours (c1/r1, c1/r2), another control plane's (c2/r1), and two not tagged as managed."""
    ids = {key: provider.launch(request(control_id=key[0], run_id=key[1]))["instance_id"]
           for key in [("c1", "r1"), ("c1", "r2"), ("c2", "r1")]}
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, TagSpecifications=[{
        "ResourceType": "instance", "Tags": [{"Key": "skyrepl:control-id", "Value": "c1"},
                                             {"Key": "skyrepl:run-id", "Value": "r1"}]}])
    return ids


def test_find_run_instances_sees_only_that_run_of_ours(aws):
    ids = launch_mix()
    assert provider.find_run_instances(REGION, "c1", "r1") == [{"instance_id": ids["c1", "r1"], "state": "running"}]


def test_list_managed_sees_only_our_control_plane(aws):
    ids = launch_mix()
    found = {f["instance_id"]: f for f in provider.list_managed(REGION, "c1")}
    assert set(found) == {ids["c1", "r1"], ids["c1", "r2"]}
    one = found[ids["c1", "r2"]]
    assert one["state"] == "running" and one["tags"]["skyrepl:run-id"] == "r2"
    assert parse_iso(one["launch_time"]) > 0 and one["launch_time"].endswith("Z")
    assert provider.list_managed(OTHER_REGION, "c1") == []


def test_list_managed_is_one_paginated_describe_per_region(aws, monkeypatch):
    launch_mix()
    seen = calls(clients.ec2(REGION))
    provider.list_managed(REGION, "c1")
    assert seen == ["DescribeInstances"]
    monkeypatch.setattr(instances, "PAGE_SIZE", 5)
    for run in range(7):
        provider.launch(request(run_id=f"p{run}"))
    seen.clear()
    assert len(provider.list_managed(REGION, "c1")) == 9
    assert seen == ["DescribeInstances", "DescribeInstances"]  # the paginator follows NextToken
