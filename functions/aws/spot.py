"""Spot: persistent spot requests (for the warm pool) and the current spot price.

A run's `--spot` launch does not come here: it uses RunInstances' own spot path
(instances.SPOT_MARKET), as the seed says. The actions used are those of permissions.SPOT.
"""
import base64
from datetime import datetime, timezone

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.core.naming import TAG_CONTROL_ID

PRODUCT = "Linux/UNIX"  # our Ubuntu images


def request_spot_instance(region: str, instance_type: str, image_id: str, user_data: str, tags: dict,
                          security_group_id: str, key_name: str, client_token: str) -> dict:
    """A persistent request: EC2 relaunches after an interruption until the request is cancelled.

    EC2 tags only the request here (ResourceType must be spot-instances-request): each instance the
    request launches must be tagged by the caller once it appears, or the sweeper cannot see it.
    """
    spec = {"ImageId": image_id, "InstanceType": instance_type, "KeyName": key_name,
            "SecurityGroupIds": [security_group_id],
            # unlike RunInstances, boto3 does not base64-encode a LaunchSpecification's user-data
            "UserData": base64.b64encode(user_data.encode()).decode()}
    with aws_call("ec2:RequestSpotInstances", region):
        [request] = clients.ec2(region).request_spot_instances(
            Type="persistent", InstanceCount=1, LaunchSpecification=spec,
            ClientToken=client_token,  # a retried request (a lost answer) is the same request, never a second
            # "terminate" is allowed for persistent requests (stop/hibernate even require one); an
            # interrupted instance is never resumed, the request launches a fresh one
            InstanceInterruptionBehavior="terminate",
            TagSpecifications=[{"ResourceType": "spot-instances-request",
                                "Tags": [{"Key": k, "Value": str(v)} for k, v in tags.items()]}],
        )["SpotInstanceRequests"]
    return {"request_id": request["SpotInstanceRequestId"], "instance_id": request.get("InstanceId")}


def cancel_spot_request(region: str, request_id: str) -> None:
    """Cancel a request; one already gone is fine. Its instance, if any, keeps running: terminate it too."""
    with aws_call("ec2:CancelSpotInstanceRequests", region), tolerating("InvalidSpotInstanceRequestID.NotFound"):
        clients.ec2(region).cancel_spot_instance_requests(SpotInstanceRequestIds=[request_id])


def open_requests(region: str, control_id: str) -> list[dict]:
    """Our persistent requests that are not cancelled, closed or failed: {"request_id", "instance_id", "tags"}.
    A request whose record no pool instance keeps is a leak the sweeper cancels (it relaunches forever)."""
    with aws_call("ec2:DescribeSpotInstanceRequests", region):
        found = clients.ec2(region).describe_spot_instance_requests(Filters=[
            {"Name": f"tag:{TAG_CONTROL_ID}", "Values": [control_id]},
            {"Name": "state", "Values": ["open", "active", "disabled"]}])["SpotInstanceRequests"]
    return [{"request_id": r["SpotInstanceRequestId"], "instance_id": r.get("InstanceId"),
             "tags": {t["Key"]: t["Value"] for t in r.get("Tags", [])}} for r in found]


def spot_price(region: str, instance_type: str) -> float | None:
    """The lowest current price (USD per hour) across the region's AZs; None where the type has none.

    With StartTime=now EC2 answers each AZ's price in effect now (the last change before it).
    """
    pages = clients.ec2(region).get_paginator("describe_spot_price_history").paginate(
        InstanceTypes=[instance_type], ProductDescriptions=[PRODUCT], StartTime=datetime.now(timezone.utc))
    with aws_call("ec2:DescribeSpotPriceHistory", region):
        prices = [float(row["SpotPrice"]) for page in pages for row in page["SpotPriceHistory"]]
    return min(prices, default=None)
