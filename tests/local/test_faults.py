"""The embedded stack's fault file reaches every service the control plane calls, through the one
client factory: EC2, Step Functions and DynamoDB alike (before, only the default session's clients)."""
import json

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from functions.aws import clients, stepfunctions
from functions.core.errors import ThrottlingError
from functions.store import runs
from functions.store.schema import RUNS
from local import deploy, faults
from tests.records import make_run


@pytest.fixture
def fault_file(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS.env_var, deploy.table_name(RUNS))
    monkeypatch.setenv("STATE_MACHINE_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:m")
    with mock_aws():
        clients.reset()
        deploy.create_table(RUNS)
        unhook = faults.install(tmp_path)
        yield tmp_path / faults.FILE_NAME
        unhook()
    clients.reset()


def write(path, *faults_):
    path.write_text(json.dumps([{"call": call, "code": code, "times": 1} for call, code in faults_]))


def test_a_step_functions_call_gets_the_injected_error(fault_file):
    write(fault_file, ("states:StartExecution", "ThrottlingException"))
    with pytest.raises(ThrottlingError, match="states:StartExecution"):
        stepfunctions.start(make_run())


def test_a_dynamodb_call_of_the_store_gets_the_injected_error_once(fault_file):
    runs.create(make_run("r1"))
    write(fault_file, ("dynamodb:GetItem", "ProvisionedThroughputExceededException"))
    with pytest.raises(ClientError, match="ProvisionedThroughputExceededException"):
        runs.get("r1")
    assert runs.get("r1").run_id == "r1"  # `times` consumed: the next call reaches moto
    assert json.loads(fault_file.read_text())[0]["times"] == 0


def test_clients_made_before_the_hook_get_it_too(tmp_path):
    with mock_aws():
        clients.reset()
        made_before = clients.ec2("us-east-1")
        unhook = faults.install(tmp_path)
        try:
            write(tmp_path / faults.FILE_NAME, ("ec2:DescribeRegions", "UnauthorizedOperation"))
            with pytest.raises(ClientError, match="UnauthorizedOperation"):
                made_before.describe_regions()
        finally:
            unhook()
        made_before.describe_regions()  # unhooked: no fault any more
    clients.reset()
