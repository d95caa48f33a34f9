"""AMI snapshots: the provider functions against moto's EC2, and the /v1/snapshots routes in-process."""
import boto3
import pytest

from functions.aws import clients, permissions, provider
from functions.aws import snapshots as images
from functions.core.clock import now_ms
from functions.store import snapshots as store
from tests.functions.conftest import REGION, calls, inject, request
from tests.functions.snapshot_helpers import (OTHER, OWNER, a_run, api_fixture, call,  # noqa: F401 (fixtures)
                                              leftovers, snapshot_of)


TAGS = {"skyrepl:managed": "true", "skyrepl:control-id": "c1"}

# --- the provider


def test_create_image_tags_the_image_and_its_ebs_snapshots(aws):
    instance_id = provider.launch(request())["instance_id"]
    image_id = images.create_image(REGION, instance_id, "my-env", TAGS)
    state = images.image_state(REGION, image_id)
    assert (state["state"], state["architecture"]) == ("available", "x86_64") and state["snapshot_ids"]
    ec2 = boto3.client("ec2", region_name=REGION)
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert {t["Key"]: t["Value"] for t in image["Tags"]} == TAGS
    for snap in ec2.describe_snapshots(SnapshotIds=state["snapshot_ids"])["Snapshots"]:
        assert {t["Key"]: t["Value"] for t in snap["Tags"]} == TAGS


def test_delete_image_leaves_no_image_and_no_ebs_snapshot_and_may_be_repeated(aws):
    instance_id = provider.launch(request())["instance_id"]
    image_id = images.create_image(REGION, instance_id, "to-delete", {"skyrepl:managed": "true"})
    snapshot_ids = images.image_state(REGION, image_id)["snapshot_ids"]
    assert images.delete_image(REGION, image_id) == sorted(snapshot_ids)
    assert leftovers(image_id, snapshot_ids) == ([], [])
    assert images.image_state(REGION, image_id) is None
    assert images.delete_image(REGION, image_id, tuple(snapshot_ids)) == sorted(snapshot_ids)  # gone is fine


def test_a_snapshot_round_trip_calls_exactly_the_snapshot_actions(aws):
    instance_id = provider.launch(request())["instance_id"]
    seen = calls(clients.ec2(REGION))
    image_id = images.create_image(REGION, instance_id, "counted", {"skyrepl:managed": "true"})
    images.image_state(REGION, image_id)
    images.delete_image(REGION, image_id)
    assert {f"ec2:{op}" for op in seen} == set(permissions.SNAPSHOT)
    assert set(permissions.SNAPSHOT) < set(permissions.EC2_ACTIONS["Api"])


# --- the routes


def test_create_answers_201_with_the_snapshot_and_reading_it_finds_it_available(api):
    run = a_run()
    snapshot = snapshot_of(run, name="my-env")
    assert snapshot["snapshot_id"].startswith("ami-") and snapshot["state"] == "pending"
    assert {k: snapshot[k] for k in ("name", "region", "arch", "source_run", "source_instance")} == {
        "name": "my-env", "region": REGION, "arch": "amd64", "source_run": run.run_id,
        "source_instance": run.instance_id}
    assert call("GET", f"/v1/snapshots/{snapshot['snapshot_id']}")[1]["snapshot"]["state"] == "available"
    status, listed = call("GET", "/v1/snapshots")
    assert (status, [(s["snapshot_id"], s["state"]) for s in listed["snapshots"]]) == (
        200, [(snapshot["snapshot_id"], "available")])


def test_the_source_may_be_the_runs_instance_and_the_name_defaults(api):
    run = a_run()
    snapshot = snapshot_of(run.instance_id)
    assert (snapshot["source_run"], snapshot["source_instance"]) == (run.run_id, run.instance_id)
    assert snapshot["name"].startswith(f"repl-snaptt-{run.run_id}-")


def test_a_pending_snapshot_is_looked_up_again_until_its_image_is_gone_for_good(api):
    snapshot = snapshot_of(a_run())
    store.update(snapshot["snapshot_id"], state="pending")
    assert call("GET", "/v1/snapshots")[1]["snapshots"][0]["state"] == "available"
    boto3.client("ec2", region_name=REGION).deregister_image(ImageId=snapshot["snapshot_id"])
    store.update(snapshot["snapshot_id"], state="pending")
    assert call("GET", "/v1/snapshots")[1]["snapshots"][0]["state"] == "pending"  # may just not be visible yet
    store.update(snapshot["snapshot_id"], state="pending", created_ms=now_ms() - 600_000)
    assert call("GET", "/v1/snapshots")[1]["snapshots"][0]["state"] == "failed"


def test_unknown_and_other_owners_sources_and_snapshots_answer_404(api):
    snapshot = snapshot_of(a_run())
    for source in ("rnope12345", a_run(owner=OTHER).run_id, "i-0123456789abcdef0"):
        status, answer = call("POST", "/v1/snapshots", {"source": source})
        assert (status, answer["error"]["field"]) == (404, "source"), answer
    for method in ("GET", "DELETE"):
        assert call(method, f"/v1/snapshots/{snapshot['snapshot_id']}", owner=OTHER)[0] == 404
    assert call("GET", "/v1/snapshots", owner=OTHER)[1] == {"snapshots": []}


@pytest.mark.parametrize("status, why", [("booting", "not running yet"), ("cancelled", "has ended (cancelled)")])
def test_a_source_that_is_not_running_answers_409_saying_why(api, status, why):
    code, answer = call("POST", "/v1/snapshots", {"source": a_run(status).run_id})
    assert (code, answer["error"]["field"]) == (409, "source")
    assert why in answer["error"]["message"]
    assert boto3.client("ec2", region_name=REGION).describe_images(Owners=["self"])["Images"] == []


@pytest.mark.parametrize("body, field", [({"source": "no such!"}, "source"), ({"source": "r1", "extra": 1}, "extra"),
                                         ({"source": "r1", "name": "a:b"}, "name"), ([], "body")])
def test_a_bad_create_request_answers_400_naming_the_field(api, body, field):
    status, answer = call("POST", "/v1/snapshots", body)
    assert (status, answer["error"]["field"]) == (400, field)
    assert answer["error"]["message"].startswith(f"{field}:")


def test_delete_deregisters_deletes_the_ebs_snapshots_and_forgets_the_record(api):
    snapshot = snapshot_of(a_run())
    snapshot_ids = images.image_state(REGION, snapshot["snapshot_id"])["snapshot_ids"]
    status, answer = call("DELETE", f"/v1/snapshots/{snapshot['snapshot_id']}")
    assert (status, answer) == (200, {"deleted": snapshot["snapshot_id"], "snapshot_ids": sorted(snapshot_ids)})
    assert leftovers(snapshot["snapshot_id"], snapshot_ids) == ([], [])
    assert call("GET", f"/v1/snapshots/{snapshot['snapshot_id']}")[0] == 404
    assert call("DELETE", f"/v1/snapshots/{snapshot['snapshot_id']}")[0] == 404


@pytest.mark.parametrize("code, status, field", [("IncorrectState", 409, "source"),
                                                 ("InvalidAMIName.Duplicate", 409, "name"),
                                                 ("UnauthorizedOperation", 500, None)])
def test_ec2_refusing_create_image_is_an_api_error_that_says_why(api, code, status, field):
    run = a_run()
    inject(clients.ec2(REGION), "CreateImage", code)
    answer_status, answer = call("POST", "/v1/snapshots", {"source": run.run_id})
    assert (answer_status, answer["error"].get("field")) == (status, field)
    assert code in answer["error"]["message"] and store.list_owned(OWNER) == []
