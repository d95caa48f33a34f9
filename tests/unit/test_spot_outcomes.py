"""Which terminal status a spot run gets once its agent has reported an interruption notice: `interrupted`
with the notice as reason, whichever path ends the run (the agent's exit report in Finalize, or any
error Cleanup catches: the heartbeat timeout after the instance died, the sweeper, a failed step)."""
import pytest

from functions.core import states
from functions.core.clock import now_ms, parse_iso
from functions.core.records import AgentReport, Interruption
from tests.unit.test_workflow_outcomes import classify, lambda_error, outcome, run

NOTICE = Interruption(action="terminate", at_ms=parse_iso("2026-11-26T12:00:00.000Z"),
                      reported_ms=parse_iso("2026-11-26T11:58:00.000Z"))
REASON = "spot interruption notice (terminate at 2026-11-26T12:00:00.000Z)"


def noticed(**fields) -> dict:
    return run(interruption=NOTICE, **fields)


def test_the_agents_interrupted_report_is_interrupted_with_the_notice():
    assert outcome(noticed(), {"exit_code": None, "interrupted": True}) == ("interrupted", None, REASON)


def test_an_interrupted_report_whose_notice_never_got_through_still_says_spot():
    assert outcome(run(), {"exit_code": None, "interrupted": True}) == ("interrupted", None, "spot interruption notice")


@pytest.mark.parametrize("code", [143, 1, None])
def test_after_a_notice_a_command_that_died_was_interrupted(code):
    expected = REASON + (f"; the command exited with code {code}" if code is not None else "")
    assert outcome(noticed(), {"exit_code": code}) == ("interrupted", code, expected)


def test_after_a_notice_a_command_that_finished_succeeded():
    assert outcome(noticed(), {"exit_code": 0}) == ("succeeded", 0, "command exited with code 0")


def test_cancel_and_max_duration_reported_by_the_agent_keep_their_own_status():
    assert outcome(noticed(cancel_requested_ms=now_ms()), {"exit_code": None, "interrupted": True})[0] == "cancelled"
    assert outcome(noticed(), {"exit_code": None, "timed_out": True})[0] == "timed_out"


@pytest.mark.parametrize("error", [
    {"Error": "States.HeartbeatTimeout"},  # the instance was reclaimed: its agent went silent
    {"Error": "States.Timeout"},
    lambda_error("InstanceSwept", "the sweeper terminated the instance: its run has ended"),
    lambda_error("AwsError", "EC2 refused"),
])
def test_cleanup_after_a_notice_is_interrupted_whatever_the_error(error):
    assert classify(noticed(), error) == ("interrupted", None, REASON)


def test_cleanup_after_a_notice_past_the_deadline_is_still_the_interruption():
    assert classify(noticed(deadline_in_ms=-1), {"Error": "States.Timeout"})[0] == "interrupted"


def test_cleanup_keeps_a_report_and_a_cancel_first():
    reported = noticed(agent_report=AgentReport(exit_code=None, interrupted=True))
    assert classify(reported, lambda_error("TerminationNotConfirmed", "not yet")) == ("interrupted", None, REASON)
    assert classify(noticed(cancel_requested_ms=now_ms()), {"Error": "RunCancelled"})[0] == "cancelled"


def test_interrupted_maps_to_the_infrastructure_exit_code():
    assert states.cli_exit_code("interrupted", None) == states.cli_exit_code("interrupted", 143) == 125
