"""Spot: persistent requests (for the warm pool), the current price, and Provision recording it."""
import base64

import boto3
import pytest

from functions.aws import clients, provider
from functions.core.errors import PermissionDenied
from functions.store import instances, runs
from functions.workflow import provision
from tests.functions import provision_helpers
from tests.functions.conftest import REGION, calls, inject

api = provision_helpers.api  # a fixture: a fresh account with every table

TAGS = {"skyrepl:managed": "true", "skyrepl:run-id": "r1"}


def _request() -> dict:
    boot = provider.startup(REGION)
    return provider.request_spot_instance(REGION, "t3.micro", "ami-12345678", "#!/bin/bash\necho hi\n", TAGS,
                                          boot["security_group_id"], boot["key_name"], "test-token")


def _answer(operation: str, parsed: dict) -> None:
    """The provider's next `operation` calls answer `parsed` (moto's spot prices are all 0.00001)."""
    http = type("Response", (), {"status_code": 200, "headers": {}})()
    clients.ec2(REGION).meta.events.register(f"before-call.ec2.{operation}", lambda **_: (http, parsed))


def test_a_persistent_request_is_tagged_and_terminates_on_interruption(aws):
    made = _request()
    ec2 = boto3.client("ec2", region_name=REGION)
    [request] = ec2.describe_spot_instance_requests(SpotInstanceRequestIds=[made["request_id"]])["SpotInstanceRequests"]
    assert (request["Type"], request["InstanceInterruptionBehavior"]) == ("persistent", "terminate")
    assert {t["Key"]: t["Value"] for t in request["Tags"]} == TAGS
    assert made["instance_id"] == request["InstanceId"]  # moto fulfils at once; EC2 usually answers None first
    [instance] = ec2.describe_instances(InstanceIds=[made["instance_id"]])["Reservations"][0]["Instances"]
    assert (instance["InstanceLifecycle"], instance["KeyName"]) == ("spot", "skyrepl-us-east-1")
    data = ec2.describe_instance_attribute(InstanceId=made["instance_id"], Attribute="userData")["UserData"]["Value"]
    assert base64.b64decode(data).decode() == "#!/bin/bash\necho hi\n"


def test_cancel_cancels_and_a_request_already_gone_is_fine(aws):
    made = _request()
    provider.cancel_spot_request(REGION, made["request_id"])
    assert boto3.client("ec2", region_name=REGION).describe_spot_instance_requests()["SpotInstanceRequests"] == []
    inject(clients.ec2(REGION), "CancelSpotInstanceRequests", "InvalidSpotInstanceRequestID.NotFound")
    provider.cancel_spot_request(REGION, made["request_id"])  # no error: it is gone, as wanted
    inject(clients.ec2(REGION), "CancelSpotInstanceRequests", "UnauthorizedOperation")
    with pytest.raises(PermissionDenied, match="ec2:CancelSpotInstanceRequests"):
        provider.cancel_spot_request(REGION, made["request_id"])


def test_the_price_is_the_lowest_current_one_across_zones(aws):
    assert provider.spot_price(REGION, "t3.micro") == 0.00001  # moto's synthetic price, every zone
    rows = [{"SpotPrice": "0.004100", "AvailabilityZone": "us-east-1a"},
            {"SpotPrice": "0.003500", "AvailabilityZone": "us-east-1b"}]
    _answer("DescribeSpotPriceHistory", {"SpotPriceHistory": rows})
    assert provider.spot_price(REGION, "t3.micro") == 0.0035


def test_a_type_without_spot_prices_has_none(aws):
    assert provider.spot_price(REGION, "x9.huge") is None


def test_provision_records_the_spot_price_on_the_run_and_its_instance(api):
    run = api.create(spot=True)
    provision.handler({"run_id": run.run_id})
    assert api.call("GET", f"/v1/runs/{run.run_id}")[1]["run"]["spot_price"] == 0.00001
    [instance] = api.call("GET", "/v1/instances")[1]["instances"]
    assert (instance["spot"], instance["spot_price"]) == (True, 0.00001)


def test_a_price_aws_refuses_does_not_stop_the_launch(api):
    inject(clients.ec2(REGION), "DescribeSpotPriceHistory", "UnauthorizedOperation")
    run = api.create(spot=True)
    assert provision.handler({"run_id": run.run_id})["instance_id"].startswith("i-")
    stored = runs.get(run.run_id)
    assert stored.spot_price is None and instances.get(stored.instance_key).spot_price is None


def test_on_demand_runs_are_not_priced(api):
    seen = calls(clients.ec2(REGION))
    provision.handler({"run_id": api.create().run_id})
    assert "RunInstances" in seen and "DescribeSpotPriceHistory" not in seen
