"""Happy path and the agent-driven endings of the launch-run workflow."""
import boto3

from functions.core import states
from tests.workflow.conftest import instance_of


def test_a_run_that_exits_0_succeeds_and_its_instance_is_terminated(stack):
    run = stack.create_run(command="echo hi")
    agent = stack.agent(run.run_id)
    assert agent.register()[0] == 200
    start = agent.wait_event(stack, "start_run")
    launched = stack.run(run.run_id)  # max-duration counts from the launch request: its deadline is set then
    assert start["command"] == "echo hi" and start["deadline_ms"] == launched.deadline_ms
    assert launched.deadline_ms - launched.created_ms >= launched.max_duration_ms
    assert agent.exited(0)[0] == 200
    ended = stack.wait_end(run.run_id)
    assert (ended.status, ended.exit_code, ended.reason) == ("succeeded", 0, "command exited with code 0")
    assert ended.ended_ms and stack.live_instances() == []
    assert instance_of(ended).state == states.TERMINATED


def test_a_nonzero_exit_fails_the_run_with_that_code(stack):
    run = stack.create_run(command="exit 3")
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    agent.exited(3)
    ended = stack.wait_end(run.run_id)
    assert (ended.status, ended.exit_code) == ("failed", 3)
    assert stack.live_instances() == []


def test_the_agent_stopping_the_command_at_the_deadline_ends_timed_out(stack):
    run = stack.create_run(max_duration_ms=60_000)
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    agent.exited(None, timed_out=True)
    ended = stack.wait_end(run.run_id)
    assert (ended.status, ended.exit_code) == ("timed_out", None)
    assert "max-duration 60000 ms" in ended.reason and stack.live_instances() == []


def test_the_launch_is_recorded_before_run_instances_with_tags_and_client_token(stack):
    run = stack.create_run()
    agent = stack.agent(run.run_id)
    record = instance_of(stack.run(run.run_id))
    assert record.instance_id and record.region == "us-east-1" and record.token_hashes
    agent.register()
    assert stack.run(run.run_id).status in ("booting", "running")


def test_an_exit_reported_before_the_workflow_holds_its_token_ends_the_run_at_once(stack, monkeypatch):
    """The command came with the registration and ended before AwaitCompletion's task stored its token:
    DispatchRun sends the report on from within its own invocation, and the workflow goes straight to
    Finalize (no wait for the agent's heartbeat to time out, the instance up all that while)."""
    from functions.workflow import dispatch_run

    def after_the_report(event, context=None):  # DispatchRun, held until the exit report is in
        stack.wait_for(lambda: stack.run(event["run_id"]).agent_report, what="the exit report")
        return original(event, context)

    original = dispatch_run.handler
    monkeypatch.setattr(dispatch_run, "handler", after_the_report)
    run = stack.create_run()
    agent = stack.agent(run.run_id)
    agent.register()
    assert agent.start and agent.exited(0)[0] == 200
    ended = stack.wait_end(run.run_id, timeout=10)
    sfn = boto3.client("stepfunctions")
    events = sfn.get_execution_history(executionArn=ended.execution_arn)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    assert entered[-3:] == ["AwaitCompletion", "KeepAlive", "Finalize"], entered  # KeepAlive: a choice, no wait
    assert not any(e["type"] == "TaskTimedOut" for e in events)
    assert ended.status == "succeeded" and ended.terminated_ms and stack.live_instances() == []
