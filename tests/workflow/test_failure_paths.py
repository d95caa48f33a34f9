"""Every caught failure path ends with the instance terminated and a terminal status with a reason."""
import time

from functions.api import runs as service
from functions.aws import clients
from functions.workflow import definition, start_run
from tests.workflow.conftest import OWNER, inject, reset_clients


def test_capacity_errors_are_retried_then_fail_with_advice(stack):
    hook = inject(clients.ec2("us-east-1"), "RunInstances", "InsufficientInstanceCapacity", times=10)
    run = stack.wait_end(stack.create_run().run_id)
    assert run.status == "error" and "CapacityError" in run.reason, (run.status, run.reason)
    assert "another instance type or region" in run.reason
    assert hook["calls"] == 1 + definition.CAPACITY_RETRIES and stack.live_instances() == []


def test_one_capacity_error_is_retried_and_the_run_goes_on(stack):
    inject(clients.ec2("us-east-1"), "RunInstances", "InsufficientInstanceCapacity", times=1)
    run = stack.create_run()
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    agent.exited(0)
    assert stack.wait_end(run.run_id).status == "succeeded"


def test_an_agent_that_never_registers_hits_the_boot_timeout(stack):
    run = stack.wait_end(stack.create_run().run_id)
    assert run.status == "error" and "BootTimeout" in run.reason
    assert run.instance_id and stack.live_instances() == []


def test_a_silent_agent_is_caught_by_the_heartbeat_timeout(stack):
    run = stack.create_run()
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")  # then nothing: no events calls, no status
    ended = stack.wait_end(run.run_id)
    assert ended.status == "error" and "went silent" in ended.reason
    assert stack.live_instances() == []


def test_max_duration_stops_a_run_whose_agent_does_not_report(stack, monkeypatch):
    monkeypatch.setattr(start_run, "AGENT_REPORT_GRACE_SECONDS", 0)
    # The agent is not lost, only silent about its command: without this, the 3 s heartbeat timeout
    # would end the run first (as "went silent") whenever AwaitCompletion starts early.
    monkeypatch.setenv("AGENT_SILENT_SECONDS", "60")
    reset_clients()
    # Long enough to reach AwaitCompletion on a loaded machine: this is its timeout path, not a guard's.
    run = stack.create_run(max_duration_ms=6_000)
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    ended = stack.wait_end(run.run_id)
    assert ended.status == "timed_out" and "max-duration 6000 ms" in ended.reason
    assert stack.live_instances() == []


def test_cancel_while_running_terminates_and_ends_cancelled(stack):
    run = stack.create_run()
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    service.cancel_run(OWNER, run.run_id)
    assert agent.events()[-1] == {"run_id": run.run_id}  # cancel_run reached the agent's queue
    ended = stack.wait_end(run.run_id)
    assert (ended.status, ended.reason) == ("cancelled", "cancelled by the user")
    assert stack.live_instances() == []


def test_cancel_during_boot_ends_cancelled(stack):
    run = stack.create_run()
    stack.agent(run.run_id)  # launched, never registers
    service.cancel_run(OWNER, run.run_id)
    ended = stack.wait_end(run.run_id)
    assert ended.status == "cancelled" and stack.live_instances() == []


def test_a_termination_not_yet_visible_is_retried_until_confirmed(stack):
    run = stack.create_run()
    agent = stack.agent(run.run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    hook = inject(clients.ec2("us-east-1"), "TerminateInstances", "RequestLimitExceeded", times=1)
    agent.exited(0)
    ended = stack.wait_end(run.run_id)
    assert ended.status == "succeeded" and hook["calls"] >= 2 and stack.live_instances() == []


def test_a_deadline_passed_before_start_ends_timed_out(stack):
    run = stack.create_run(max_duration_ms=1_000)
    time.sleep(1.1)
    ended = stack.wait_end(run.run_id)
    assert ended.status == "timed_out" and stack.live_instances() == []
