"""Every run ends, even where its workflow cannot end it: an execution stopped from outside, a Cleanup
that cannot reach the instance's region, a cancel of a run whose workflow has ended. The sweeper (and a
cancel, at once) reconciles the run: terminal with a reason, its instances terminated by tag, settled."""
import boto3

from functions.api import runs as service
from functions.aws import clients
from functions.lifecycle import reconcile
from functions.store import runs
from functions.sweeper import sweep as sweeper
from tests.workflow.conftest import OWNER, inject


def stop_execution(run_id: str) -> None:
    boto3.client("stepfunctions").stop_execution(executionArn=runs.get(run_id).execution_arn, error="Operator",
                                                 cause="stopped from the console")


def test_a_run_whose_execution_was_stopped_from_outside_is_ended_and_its_instance_terminated(stack):
    run = stack.create_run(command="sleep 600")
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    stop_execution(run.run_id)
    stack.wait_end(run.run_id)
    assert not runs.get(run.run_id).ended and stack.live_instances()  # nothing in the workflow ends it now
    swept = sweeper.sweep()
    ended = runs.get(run.run_id)
    assert (ended.status, ended.terminated_ms is not None) == ("error", True)
    assert "the run's workflow ended (" in ended.reason and stack.live_instances() == []
    assert {"run_id": run.run_id, "action": "ended"} in swept["reconciled"]
    assert all(r.run_id != run.run_id for r in runs.unsettled())  # settled: out of the next sweep's sight


def test_a_cleanup_that_cannot_reach_the_instance_still_ends_the_run_and_the_sweeper_finishes_it(stack):
    hook = inject(clients.ec2("us-east-1"), "TerminateInstances", "UnauthorizedOperation", times=1000)
    run = stack.wait_end(stack.create_run().run_id)  # the agent never registers: BootTimeout, then Cleanup
    assert run.status == "error" and "BootTimeout" in run.reason and "the sweeper keeps trying" in run.reason
    assert run.terminated_ms is None and stack.live_instances() and hook["calls"] > 0
    assert sweeper.sweep()["reconciled"] == []  # still out of reach: nothing settled, tried again later
    hook["n"] = 0  # the region is reachable again
    assert {"run_id": run.run_id, "action": "terminated"} in sweeper.sweep()["reconciled"]
    assert stack.live_instances() == [] and runs.get(run.run_id).terminated_ms


def test_cancel_of_a_run_whose_workflow_has_ended_ends_it_at_once(stack, monkeypatch):
    invoked = []
    monkeypatch.setattr(service.lambdas, "invoke", lambda name, payload: invoked.append(
        sweeper.reconcile_one(payload["reconcile"])))  # the sweeper Lambda, in-process
    run = stack.create_run(command="sleep 600")
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    stop_execution(run.run_id)
    stack.wait_end(run.run_id)
    answer = service.cancel_run(OWNER, run.run_id)
    assert invoked == ["ended"] and answer["run"]["status"] == "cancelled"
    assert answer["run"]["reason"].startswith("cancelled by the user (the run's workflow ended (")
    assert stack.live_instances() == []


def test_a_run_whose_workflow_never_started_is_ended_after_the_start_grace(stack, monkeypatch):
    run = stack.create_run()
    runs.update(run.run_id, execution_arn=None)  # as if StartExecution never answered
    monkeypatch.setattr(reconcile, "START_GRACE_MS", 0)
    reconcile.reconcile(runs.get(run.run_id), run.created_ms + 1)
    assert runs.get(run.run_id).status == "error" and "never started" in runs.get(run.run_id).reason
