"""CheckRegistration records a registered instance as running, with its public IP (best effort)."""
from functions.aws import clients
from functions.core.clock import now_ms
from functions.core.records import Run
from functions.store import instances, runs
from functions.workflow import check_registration, provision
from tests.functions import provision_helpers
from tests.functions.conftest import REGION, inject

api = provision_helpers.api  # a fixture: a fresh account with every table


def _launched_and_registered(api) -> Run:
    run = api.create()
    provision.handler({"run_id": run.run_id})
    instances.update(runs.get(run.run_id).instance_key, registered_ms=now_ms())  # as the agent's register does
    return run


def test_the_registered_instance_is_running_with_its_public_ip(api):
    run = _launched_and_registered(api)
    assert check_registration.handler({"run_id": run.run_id}) == {"registered": True}
    [instance] = api.call("GET", "/v1/instances")[1]["instances"]
    assert instance["state"] == "running" and instance["public_ip"].count(".") == 3
    assert instances.get(runs.get(run.run_id).instance_key).private_ip


def test_an_address_aws_refuses_does_not_fail_the_run(api):
    run = _launched_and_registered(api)
    inject(clients.ec2(REGION), "DescribeInstances", "UnauthorizedOperation")
    assert check_registration.handler({"run_id": run.run_id}) == {"registered": True}
    [instance] = api.call("GET", "/v1/instances")[1]["instances"]
    assert instance["state"] == "running" and instance["public_ip"] is None
