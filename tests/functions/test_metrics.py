"""The metrics (EMF) each instrumented function prints: names, values and dimensions, as CloudWatch reads them."""
import json

from functions.aws import run_end
from functions.core.clock import now_ms
from functions.observability import emit
from functions.store import instances, runs
from functions.sweeper import sweep as sweeper
from functions.workflow import cleanup
from tests.functions import api_helpers
from tests.functions.test_sweeper import PAST, cloud, launch, record_run  # noqa: F401 - the fixture
from tests.records import make_run

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane


def blobs(capsys) -> list[dict]:
    """Every EMF blob printed since the last call: {metric: value, "dimensions": {...}}."""
    found = []
    for line in capsys.readouterr().out.splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            [directive] = blob["_aws"]["CloudWatchMetrics"]
            assert directive["Namespace"] == "SkyREPL"
            [dimensions] = directive["Dimensions"]
            found.append({**{m["Name"]: (blob[m["Name"]], m["Unit"]) for m in directive["Metrics"]},
                          "dimensions": {d: blob[d] for d in dimensions}})
    return found


def test_an_emit_is_one_blob_with_the_service_dimension_and_a_failure_to_emit_fails_nothing(capsys):
    emit({"RunsEnded": 1}, status="failed")
    emit({"Bad": "not a number"})  # Powertools refuses it: logged, not raised
    assert blobs(capsys) == [{"RunsEnded": ([1.0], "Count"), "dimensions": {"service": "skyrepl", "status": "failed"}}]


def test_a_sweep_counts_leaks_caught_orphans_and_instances_past_their_deadline(cloud, monkeypatch, capsys):
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)
    record_run("rlate", "running"), record_run("rended", "succeeded"), record_run("rlive", "running")
    launch("rlate", deadline=PAST), launch("rended"), launch("rlive"), launch("rgone", deadline=PAST)
    capsys.readouterr()
    sweeper.sweep()
    assert blobs(capsys) == [{"LeaksCaught": ([3.0], "Count"), "OrphansFound": ([1.0], "Count"),
                              "InstancesPastDeadline": ([2.0], "Count"), "dimensions": {"service": "skyrepl"}}]
    sweeper.sweep()  # a quiet sweep says so: zeros, so the alarms see data
    assert blobs(capsys)[-1]["LeaksCaught"] == ([0.0], "Count")


def test_a_run_ends_once_by_status_with_the_phases_it_reached(cloud, capsys):
    created = now_ms() - 10_000
    runs.create(make_run("rnever", status="booting", created_ms=created, launched_ms=created + 1_500))
    assert run_end.finish("rnever", "error", None, "boom", now_ms())
    assert not run_end.finish("rnever", "failed", 1, "later", now_ms())  # the first end only
    assert blobs(capsys) == [{"RunsEnded": ([1.0], "Count"), "dimensions": {"service": "skyrepl", "status": "error"}},
                             {"CreatedToLaunchedMs": ([1500.0], "Milliseconds"), "dimensions": {"service": "skyrepl"}}]


def test_cleanup_counts_a_failed_workflow_but_not_a_cancelled_run(cloud, capsys):
    runs.create(make_run("rfail", status="booting")), runs.create(make_run("rcancel", status="booting"))
    cleanup.handler({"run_id": "rfail", "error": {"Error": "States.TaskFailed", "Cause": "boom"}})
    cleanup.handler({"run_id": "rcancel", "error": {"Error": "RunCancelled", "Cause": "by the user"}})
    names = [[k for k in b if k != "dimensions"] for b in blobs(capsys)]
    assert names.count(["WorkflowFailures"]) == 1 and names.count(["RunsEnded"]) == 2


def test_the_api_counts_a_new_run_not_a_replay_and_the_agent_times_each_phase_to_start(plane, capsys):
    headers = {"Idempotency-Key": "once"}
    for _ in range(2):
        plane.respond("POST", "/v1/runs", {"spec": "t3.micro", "command": "true"}, headers=headers)
    assert [b for b in blobs(capsys) if "RunsCreated" in b] == [
        {"RunsCreated": ([1.0], "Count"), "dimensions": {"service": "skyrepl"}}]
    agent = plane.agent(spec="t3.micro", command="true")
    run = runs.update(agent.run_id, created_ms=now_ms() - 1_000, launched_ms=now_ms() - 900)
    instances.update(agent.instance_key, registered_ms=run.created_ms + 350)
    capsys.readouterr()
    assert agent.status("started")[0] == 200
    started = runs.get(agent.run_id).started_ms
    assert blobs(capsys) == [{"CreatedToLaunchedMs": ([100.0], "Milliseconds"),
                              "LaunchedToRegisteredMs": ([250.0], "Milliseconds"),
                              "RegisteredToStartedMs": ([float(started - run.created_ms - 350)], "Milliseconds"),
                              "dimensions": {"service": "skyrepl"}}]
    agent.status("started")  # again (a resend): no second timing
    agent.status("exited", exit_code=0)
    assert blobs(capsys) == [{"RunsEnded": ([1.0], "Count"),
                                           "dimensions": {"service": "skyrepl", "status": "succeeded"}}]
