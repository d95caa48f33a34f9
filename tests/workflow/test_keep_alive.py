"""`--keep-alive`: the run ends with its command, the instance stays (the Kept state) until its time, a
release (`repl instance terminate`), or never at all after a cancel; then Finalize terminates it."""
import boto3

from functions.api import instances as instance_service
from functions.core import states
from tests.workflow.conftest import OWNER, instance_of


def _entered(run) -> list:
    events = boto3.client("stepfunctions").get_execution_history(executionArn=run.execution_arn)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def _exit(stack, run, code=0):
    agent = stack.agent(run.run_id)
    agent.register()
    start = agent.wait_event(stack, "start_run")
    assert start["keep_alive"] is (run.keep_alive_ms is not None)
    assert agent.exited(code)[0] == 200
    return stack.wait_for(lambda: stack.run(run.run_id).keep_token and stack.run(run.run_id), what="the Kept state")


def test_the_run_ends_with_its_command_and_the_instance_stays_until_its_keep_alive(stack):
    run = stack.create_run(command="exit 3", keep_alive_ms=3_000)
    kept = _exit(stack, run, code=3)
    assert (kept.status, kept.exit_code) == (states.FAILED, 3)  # the user has the outcome at once
    assert kept.kept_until_ms == kept.ended_ms + 3_000  # counted from the command's end
    assert kept.instance_id in stack.live_instances() and kept.terminated_ms is None
    ended = stack.wait_end(run.run_id, timeout=20)
    assert _entered(ended)[-3:] == ["KeepAlive", "Kept", "Finalize"]
    assert (ended.status, ended.exit_code, ended.reason) == (states.FAILED, 3, "command exited with code 3")
    assert ended.terminated_ms and stack.live_instances() == []
    assert instance_of(ended).state == states.TERMINATED


def test_a_release_ends_the_keep_at_once_and_finalize_terminates(stack):
    run = stack.create_run(keep_alive_ms=600_000)
    kept = _exit(stack, run)
    answer = instance_service.terminate(OWNER, run.run_id)
    assert (answer["instance"]["instance_id"], answer["run"]["run_id"]) == (kept.instance_id, run.run_id)
    ended = stack.wait_end(run.run_id, timeout=15)  # not the 10 minutes it was kept for
    assert ended.status == states.SUCCEEDED and ended.release_requested_ms and ended.terminated_ms
    assert stack.live_instances() == []


def test_a_release_written_before_the_token_is_stored_still_ends_the_keep(stack, monkeypatch):
    from functions.workflow import keep_instance

    def after_the_release(event, context=None):  # KeepInstance, held until the release is in
        instance_service.terminate(OWNER, event["run_id"])
        assert stack.run(event["run_id"]).keep_token is None  # the API had no token to send
        return original(event, context)

    original = keep_instance.handler
    monkeypatch.setattr(keep_instance, "handler", after_the_release)
    run = stack.create_run(keep_alive_ms=600_000)
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    agent.exited(0)
    ended = stack.wait_end(run.run_id, timeout=15)
    assert ended.status == states.SUCCEEDED and ended.terminated_ms and stack.live_instances() == []


def test_a_cancelled_run_keeps_nothing(stack):
    run = stack.create_run(keep_alive_ms=600_000)
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    agent.exited(None, cancelled=True)
    ended = stack.wait_end(run.run_id, timeout=15)
    assert ended.status == states.CANCELLED and ended.kept_until_ms is None
    assert "Kept" not in _entered(ended) and stack.live_instances() == []
