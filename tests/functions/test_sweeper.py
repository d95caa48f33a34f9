"""The sweeper: one paginated DescribeInstances per region in use; it terminates only what is ours and due."""
import dataclasses

import boto3
import pytest
from moto import mock_aws

from functions.aws import clients
from functions.aws import instances as ec2_instances
from functions.core import naming
from functions.core.clock import iso, now_ms
from functions.store import instances, kv, orphans, runs
from functions.store.schema import ALL_TABLES
from functions.sweeper import sweep as sweeper
from local import amis, deploy
from tests.functions.api_helpers import reset_clients
from tests.records import TIMINGS, make_instance, make_run

CONTROL_ID, REGION, OTHER_REGION = "swp001", "us-east-1", "eu-west-1"
GONE = ("shutting-down", "terminated")
FUTURE, PAST = iso(now_ms() + 3_600_000), iso(now_ms() - 60_000)
GRACE_30_S = dataclasses.replace(TIMINGS, cancel_grace_seconds=30)


@pytest.fixture
def cloud(monkeypatch):
    monkeypatch.setenv("CONTROL_ID", CONTROL_ID)
    for name, value in deploy.table_env().items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        for table in ALL_TABLES:
            deploy.create_table(table)
        amis.seed_canonical_amis(regions=(REGION, OTHER_REGION))
        reset_clients()
        yield
    reset_clients()


def launch(run_id: str, deadline: str = FUTURE, region: str = REGION, control_id: str = CONTROL_ID,
           drop_tag: str | None = None) -> str:
    ec2 = boto3.client("ec2", region_name=region)
    image = ec2.describe_images(Owners=[amis.CANONICAL])["Images"][0]["ImageId"]
    tags = {k: v for k, v in naming.instance_tags(control_id, run_id, deadline).items() if k != drop_tag}
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    return ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                             TagSpecifications=spec)["Instances"][0]["InstanceId"]


def record_run(run_id: str, status: str) -> str:
    key = "k" + naming.new_id(15)
    instances.create(make_instance(key, run_id=run_id, owner="o", state="running"))
    runs.create(make_run(run_id, owner="o", status=status, instance_key=key))
    return key


def state(instance_id: str, region: str = REGION) -> str:
    found = boto3.client("ec2", region_name=region).describe_instances(InstanceIds=[instance_id])
    return found["Reservations"][0]["Instances"][0]["State"]["Name"]


def describe_calls(region: str) -> list:
    seen = []
    clients.ec2(region).meta.events.register("before-call.ec2.DescribeInstances", lambda **_: seen.append(region))
    return seen


def sent_task_failures() -> list:
    """(token, error) of each SendTaskFailure from now on, answered as Step Functions would (these
    tokens belong to no execution here)."""
    sent = []

    events = clients.stepfunctions().meta.events
    events.register("before-parameter-build.sfn.SendTaskFailure",
                    lambda params, **_: sent.append((params["taskToken"], params["error"])))
    events.register("before-call.sfn.SendTaskFailure",
                    lambda **_: (type("Http", (), {"status_code": 200, "headers": {}})(), {}))
    return sent


def test_terminates_what_is_past_its_deadline_or_whose_run_has_ended(cloud, monkeypatch):
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)
    record_run("rlate", "running"), record_run("rlive", "running")
    ended_key = record_run("rended", "succeeded")
    late, ended, live = launch("rlate", deadline=PAST), launch("rended"), launch("rlive")
    result = sweeper.sweep()
    assert sorted((t["instance_id"], t["reason"]) for t in result["terminated"]) == sorted(
        [(late, "past its deadline"), (ended, "its run has ended")])
    assert [state(i) in GONE for i in (late, ended, live)] == [True, True, False]
    assert instances.get(ended_key).state == "terminated"


def test_an_instance_just_past_its_deadline_keeps_its_agents_time_to_report(cloud, monkeypatch):
    # the agent kills the command at the deadline, then ships its last logs and artifacts: the
    # workflow waits AGENT_REPORT_GRACE_SECONDS for that, and so does the sweeper
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)
    record_run("rjust", "running"), record_run("rlate", "running")
    just = launch("rjust", deadline=iso(now_ms() - 5_000))
    late = launch("rlate", deadline=iso(now_ms() - 16_000))
    assert [t["instance_id"] for t in sweeper.sweep()["terminated"]] == [late]
    assert state(just) == "running"


def test_never_touches_another_control_planes_or_unmanaged_instances(cloud):
    theirs = launch("rlate", deadline=PAST, control_id="other1")
    unmanaged = launch("rlate", deadline=PAST, drop_tag=naming.TAG_MANAGED)
    unowned = launch("rlate", deadline=PAST, drop_tag=naming.TAG_CONTROL_ID)
    assert sweeper.sweep()["terminated"] == []
    assert [state(i) for i in (theirs, unmanaged, unowned)] == ["running"] * 3


def test_a_just_launched_instance_of_an_ended_run_gets_its_grace(cloud):
    record_run("rended", "failed")
    fresh = launch("rended")
    assert sweeper.sweep()["terminated"] == []
    assert state(fresh) == "running"


def test_an_orphan_past_its_deadline_is_terminated_and_recorded(cloud):
    orphan = launch("rgone", deadline=PAST)
    result = sweeper.sweep()
    assert [t["instance_id"] for t in result["terminated"]] == [orphan] and result["orphan_ids"] == [orphan]
    [recorded] = orphans.list_all()
    assert (recorded.instance_id, recorded.run_id, recorded.region) == (orphan, "rgone", REGION)
    assert "past its deadline" in recorded.action


def test_one_describe_instances_per_region_in_use(cloud):
    kv.put(f"startup#{OTHER_REGION}", {"security_group_id": "sg-1"})
    ours = [launch(f"r{n}", deadline=PAST) for n in range(3)] + [
        launch(f"r{n}", deadline=PAST, region=OTHER_REGION) for n in range(3, 5)]
    seen = {region: describe_calls(region) for region in (REGION, OTHER_REGION, "us-west-2")}
    result = sweeper.sweep()
    assert {r: len(c) for r, c in seen.items()} == {REGION: 1, OTHER_REGION: 1, "us-west-2": 0}
    assert sorted((t["instance_id"], t["region"]) for t in result["terminated"]) == sorted(
        zip(ours, [REGION] * 3 + [OTHER_REGION] * 2))


def test_every_page_of_describe_instances_is_read(cloud, monkeypatch):
    monkeypatch.setattr(ec2_instances, "PAGE_SIZE", 2)  # moto honours MaxResults: 5 instances make 3 pages
    ours = [launch(f"r{n}", deadline=PAST) for n in range(5)]
    seen = describe_calls(REGION)
    assert sorted(t["instance_id"] for t in sweeper.sweep()["terminated"]) == sorted(ours)
    assert len(seen) == 3


def test_an_instance_whose_registered_agent_went_silent_is_terminated(cloud, monkeypatch):
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)
    silent_key, chatty_key = record_run("rsilent", "running"), record_run("rchatty", "running")
    instances.update(silent_key, registered_ms=now_ms() - 3_600_000, last_seen_ms=now_ms() - 21 * 60_000)
    instances.update(chatty_key, registered_ms=now_ms() - 3_600_000, last_seen_ms=now_ms())
    silent, chatty = launch("rsilent"), launch("rchatty")
    assert [(t["instance_id"], "silent" in t["reason"]) for t in sweeper.sweep()["terminated"]] == [(silent, True)]
    assert state(chatty) == "running"


def test_a_cancel_its_agent_never_answered_is_forced_even_on_a_just_launched_instance(cloud):
    key = record_run("rcancel", "running")
    runs.update("rcancel", task_token="token-9", cancel_requested_ms=now_ms() - 31_000, timings=GRACE_30_S)
    record_run("rfresh", "running")
    runs.update("rfresh", task_token="token-8", cancel_requested_ms=now_ms() - 1_000, timings=GRACE_30_S)
    overdue, fresh = launch("rcancel"), launch("rfresh")
    failures = sent_task_failures()
    result = sweeper.sweep()
    assert [(t["instance_id"], t["reason"]) for t in result["terminated"]] == [
        (overdue, "its run was cancelled and its agent did not stop it")]
    assert (state(overdue) in GONE, state(fresh)) == (True, "running")
    assert failures == [("token-9", "RunCancelled")] and instances.get(key).state == "terminated"
