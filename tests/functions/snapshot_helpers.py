"""Snapshot tests' fixtures: moto with every table, a recording state machine, and runs really launched."""
import json

import boto3
import pytest

from functions.api.handler import lambda_handler as api_handler
from functions.aws import clients, provider
from functions.core import naming
from functions.core.records import Run
from functions.store import instances, runs
from functions.store.schema import ALL_TABLES, KV
from local import deploy
from local.context import LambdaContext
from local.gateway import to_event
from tests.functions.conftest import REGION, request
from tests.records import make_instance, make_run

OWNER, OTHER = "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/mallory"
PASS_MACHINE = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


@pytest.fixture(name="api")
def api_fixture(aws, monkeypatch):
    monkeypatch.setenv("CONTROL_ID", "snaptt")
    monkeypatch.setenv("API_URL", "https://api.example/prod")
    for name, value in deploy.table_env().items():
        monkeypatch.setenv(name, value)
    for table in ALL_TABLES:
        if table is not KV:  # the aws fixture made it
            deploy.create_table(table, REGION)
    machine = boto3.client("stepfunctions").create_state_machine(  # records executions, runs nothing
        name="launch-run", definition=PASS_MACHINE, roleArn="arn:aws:iam::123456789012:role/sfn")
    monkeypatch.setenv("STATE_MACHINE_ARN", machine["stateMachineArn"])
    clients.reset()
    yield
    clients.reset()


def call(method: str, path: str, body=None, owner: str = OWNER) -> tuple[int, dict]:
    raw = json.dumps(body).encode() if body is not None else b""
    res = api_handler(to_event(method, path, {"Content-Type": "application/json"}, raw, owner), LambdaContext("api"))
    return res["statusCode"], json.loads(res["body"])


def a_run(status: str = "running", owner: str = OWNER) -> Run:
    """A run whose instance is really launched in moto, recorded as Provision and the agent leave it."""
    run_id = "r" + naming.new_id(9)
    instance_id = provider.launch(request(run_id=run_id))["instance_id"]
    key = "k" + naming.new_id(15)
    instances.create(make_instance(key, run_id=run_id, owner=owner, region=REGION, state="pending",
                                   instance_id=instance_id))
    run = make_run(run_id, owner=owner, status=status, region=REGION, arch="amd64", instance_id=instance_id,
                   instance_key=key)
    runs.create(run)
    return run


def snapshot_of(source: Run | str, **body) -> dict:
    """POST /v1/snapshots from a run (or a source id: a run's or an instance's); the snapshot's JSON."""
    source = source if isinstance(source, str) else source.run_id
    status, answer = call("POST", "/v1/snapshots", {"source": source, **body})
    assert status == 201, answer
    return answer["snapshot"]


def leftovers(image_id: str, snapshot_ids: list) -> tuple[list, list]:
    ec2 = boto3.client("ec2", region_name=REGION)
    left = [s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]]
    return ec2.describe_images(ImageIds=[image_id])["Images"], [s for s in snapshot_ids if s in left]
