"""Launch, terminate and find our EC2 instances."""
from dataclasses import dataclass

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.core.clock import iso
from functions.core.naming import TAG_CONTROL_ID, TAG_MANAGED, TAG_RUN_ID
from functions.core.states import LIVE_EC2_STATES

# IMDSv2 only, and a hop limit of 1 so that containers on the VM cannot reach the metadata
# service (which also serves the user-data, and so the instance token).
METADATA_OPTIONS = {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1}
# RunInstances' own spot path (the seed's `--spot`), not RequestSpotInstances. No MaxPrice: the
# spot price is capped at the on-demand price. An interrupted run is not resumed: terminate.
SPOT_MARKET = {"MarketType": "spot",
               "SpotOptions": {"SpotInstanceType": "one-time", "InstanceInterruptionBehavior": "terminate"}}
PAGE_SIZE = 1000  # instances per DescribeInstances page: EC2's maximum, so usually one request


@dataclass(frozen=True)
class LaunchRequest:
    region: str
    instance_type: str
    image_id: str
    spot: bool
    user_data: str
    client_token: str
    tags: dict
    security_group_id: str
    key_name: str


def launch(req: LaunchRequest) -> dict:
    with aws_call("ec2:RunInstances", req.region):
        instance = clients.ec2(req.region).run_instances(**run_parameters(req))["Instances"][0]
    return {"instance_id": instance["InstanceId"], "state": instance["State"]["Name"]}


def run_parameters(req: LaunchRequest) -> dict:
    tags = [{"Key": key, "Value": str(value)} for key, value in req.tags.items()]
    params = {
        "ImageId": req.image_id, "InstanceType": req.instance_type, "MinCount": 1, "MaxCount": 1,
        # EC2 answers a repeated token with the instance it already launched: a retried launch never doubles
        "ClientToken": req.client_token,
        "InstanceInitiatedShutdownBehavior": "terminate",  # the agent's power-off ends the bill too
        "UserData": req.user_data,  # boto3 base64-encodes it
        "SecurityGroupIds": [req.security_group_id], "KeyName": req.key_name,
        "MetadataOptions": METADATA_OPTIONS,
        # tagged at creation, volume too: nothing of ours is ever untagged, even for a moment
        "TagSpecifications": [{"ResourceType": kind, "Tags": tags} for kind in ("instance", "volume")],
    }
    if req.spot:
        params["InstanceMarketOptions"] = SPOT_MARKET
    return params


def terminate(region: str, instance_id: str) -> None:
    # NotFound is not proof that it is gone (a just-launched id may not be visible yet): callers
    # confirm with instance_state().
    with aws_call("ec2:TerminateInstances", region), tolerating("InvalidInstanceID.NotFound"):
        clients.ec2(region).terminate_instances(InstanceIds=[instance_id])


def instance_state(region: str, instance_id: str) -> str | None:
    found = _describe(region, instance_id)
    return found["State"]["Name"] if found else None


def instance_address(region: str, instance_id: str) -> dict:
    """{"public_ip", "private_ip"}: either may be None (not assigned yet, or a subnet without public IPs)."""
    found = _describe(region, instance_id) or {}
    return {"public_ip": found.get("PublicIpAddress"), "private_ip": found.get("PrivateIpAddress")}


def _describe(region: str, instance_id: str) -> dict | None:
    reservations = []
    with aws_call("ec2:DescribeInstances", region), tolerating("InvalidInstanceID.NotFound"):
        reservations = clients.ec2(region).describe_instances(InstanceIds=[instance_id])["Reservations"]
    found = [i for r in reservations for i in r["Instances"] if i["InstanceId"] == instance_id]
    return found[0] if found else None


def find_run_instances(region: str, control_id: str, run_id: str) -> list[dict]:
    found = _live(region, {TAG_MANAGED: "true", TAG_CONTROL_ID: control_id, TAG_RUN_ID: run_id})
    return [{"instance_id": i["InstanceId"], "state": i["State"]["Name"]} for i in found]


def list_managed(region: str, control_id: str) -> list[dict]:
    found = _live(region, {TAG_MANAGED: "true", TAG_CONTROL_ID: control_id})
    return [{"instance_id": i["InstanceId"], "state": i["State"]["Name"],
             "tags": {t["Key"]: t["Value"] for t in i.get("Tags", [])},
             "launch_time": iso(int(i["LaunchTime"].timestamp() * 1000))} for i in found]


def _live(region: str, tags: dict) -> list[dict]:
    """Every not-yet-terminating instance carrying all these tags, in one paginated DescribeInstances."""
    filters = [{"Name": f"tag:{key}", "Values": [value]} for key, value in tags.items()]
    filters.append({"Name": "instance-state-name", "Values": list(LIVE_EC2_STATES)})
    pages = clients.ec2(region).get_paginator("describe_instances").paginate(
        Filters=filters, PaginationConfig={"PageSize": PAGE_SIZE})
    with aws_call("ec2:DescribeInstances", region):
        return [i for page in pages for r in page["Reservations"] for i in r["Instances"]]


def tag(region: str, instance_id: str, tags: dict) -> None:
    """Tags on an instance that exists: a spot pool's, which its request launched untagged, and a pool
    instance a run claims (its run id, and the run's deadline in place of the idle expiry)."""
    with aws_call("ec2:CreateTags", region):
        clients.ec2(region).create_tags(Resources=[instance_id],
                                        Tags=[{"Key": k, "Value": str(v)} for k, v in tags.items()])


def request_instances(region: str, request_id: str) -> list[str]:
    """The live instances a persistent spot request launched: DescribeInstances by its request id. More
    than one when an instance was interrupted or terminated before the request was cancelled (EC2 then
    launches another, untagged)."""
    pages = clients.ec2(region).get_paginator("describe_instances").paginate(
        Filters=[{"Name": "spot-instance-request-id", "Values": [request_id]},
                 {"Name": "instance-state-name", "Values": list(LIVE_EC2_STATES)}])
    with aws_call("ec2:DescribeInstances", region):
        return [i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]]
