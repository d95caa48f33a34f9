"""Runs from a snapshot: POST /v1/runs {"snapshot": ...} takes its region, arch and image; Provision launches it."""
import boto3
import pytest

from functions.aws import snapshots as images
from functions.store import runs
from functions.workflow import provision
from tests.functions.conftest import REGION
from tests.functions.snapshot_helpers import a_run, api_fixture, call, snapshot_of  # noqa: F401 (fixtures)


def test_a_run_from_a_snapshot_takes_its_region_arch_and_image(api):
    snapshot = snapshot_of(a_run())
    call("GET", "/v1/snapshots")  # available now
    status, answer = call("POST", "/v1/runs", {"snapshot": snapshot["snapshot_id"], "command": "echo hi"})
    assert status == 201, answer
    run = answer["run"]
    assert (run["snapshot"], run["region"], run["arch"], run["instance_type"]) == (
        snapshot["snapshot_id"], REGION, "amd64", "t3.micro")
    assert runs.get(run["run_id"]).image_id == snapshot["snapshot_id"]


def test_provision_launches_a_snapshot_run_from_its_image(api):
    snapshot = snapshot_of(a_run())
    call("GET", "/v1/snapshots")
    run = call("POST", "/v1/runs", {"snapshot": snapshot["snapshot_id"], "command": "echo hi"})[1]["run"]
    instance_id = provision.handler({"run_id": run["run_id"]})["instance_id"]
    [i] = boto3.client("ec2", region_name=REGION).describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"]
    assert i["ImageId"] == snapshot["snapshot_id"]


@pytest.mark.parametrize("body, status", [({"snapshot": "ami-0000000000000000f"}, 404),
                                          ({"snapshot": "not-an-ami"}, 400), ({"spec": "t4g.micro"}, 400),
                                          ({"region": "eu-west-1"}, 400)])
def test_a_run_from_an_unusable_snapshot_is_refused_naming_snapshot(api, body, status):
    snapshot = snapshot_of(a_run())
    code, answer = call("POST", "/v1/runs", {"snapshot": snapshot["snapshot_id"], "command": "echo hi", **body})
    assert (code, answer["error"]["field"]) == (status, "snapshot"), answer
    assert answer["error"]["message"].startswith("snapshot:")


def test_a_run_from_a_snapshot_still_pending_answers_409(api, monkeypatch):
    snapshot = snapshot_of(a_run())
    monkeypatch.setattr(images, "image_state", lambda *_: {"state": "pending", "snapshot_ids": [],
                                                           "architecture": "x86_64"})
    code, answer = call("POST", "/v1/runs", {"snapshot": snapshot["snapshot_id"], "command": "echo hi"})
    assert (code, answer["error"]["field"]) == (409, "snapshot")
    assert "pending" in answer["error"]["message"]
