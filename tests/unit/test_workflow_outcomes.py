"""Which terminal status and reason a run gets: Finalize from the agent's report, Cleanup from the error."""
import json

import pytest

from functions.core.clock import now_ms
from functions.core.records import AgentReport, Run
from functions.core.outcomes import from_error as classify
from functions.core.outcomes import from_report
from tests.records import HOUR_MS, make_run


def run(deadline_in_ms: int = HOUR_MS, **fields) -> Run:
    return make_run(deadline_ms=now_ms() + deadline_in_ms, **fields)


def outcome(run: Run, report: dict):
    return from_report(run, AgentReport(**report))


def lambda_error(name: str, message: str) -> dict:
    return {"Error": name, "Cause": json.dumps({"errorType": name, "errorMessage": message})}


@pytest.mark.parametrize("report, expected", [
    ({"exit_code": 0}, ("succeeded", 0, "command exited with code 0")),
    ({"exit_code": 3}, ("failed", 3, "command exited with code 3")),
    ({"exit_code": None, "timed_out": True}, ("timed_out", None, f"max-duration {HOUR_MS} ms reached")),
    ({"exit_code": None, "cancelled": True}, ("cancelled", None, "cancelled by the user")),
    ({"exit_code": None}, ("error", None, "the agent reported no exit code")),
])
def test_finalize_outcome_follows_the_agent_report(report, expected):
    assert outcome(run(), report) == expected


def test_finalize_outcome_is_cancelled_when_the_user_asked_even_if_the_agent_did_not_say():
    assert outcome(run(cancel_requested_ms=now_ms()), {"exit_code": 137})[0] == "cancelled"


@pytest.mark.parametrize("error", [{"Error": "RunCancelled", "Cause": ""}, {"Error": "RunCancelled"},
                                   lambda_error("RunCancelled", "")])
def test_run_cancelled_with_an_empty_cause_says_cancelled_by_the_user(error):
    assert classify(run(), error) == ("cancelled", None, "cancelled by the user")


def test_any_error_of_a_run_the_user_cancelled_is_a_cancellation():
    assert classify(run(cancel_requested_ms=now_ms()), {"Error": "States.Timeout"})[0] == "cancelled"


@pytest.mark.parametrize("name", ["States.Timeout", "States.HeartbeatTimeout"])
def test_a_timeout_before_the_deadline_is_a_silent_agent(name):
    assert classify(run(), {"Error": name}) == (
        "error", None, "the agent went silent (no contact for 180 s); instance terminated")


@pytest.mark.parametrize("name", ["States.Timeout", "DeadlineReached"])
def test_a_timeout_at_the_deadline_is_timed_out(name):
    expected = ("timed_out", None, f"max-duration {HOUR_MS} ms reached")
    assert classify(run(deadline_in_ms=-1), {"Error": name}) == expected


def test_a_run_the_agent_reported_keeps_its_report_whatever_failed_afterwards():
    reported = run(agent_report=AgentReport(exit_code=2))
    assert classify(reported, lambda_error("TerminationNotConfirmed", "not yet")) == (
        "failed", 2, "command exited with code 2")


@pytest.mark.parametrize("error, reason", [
    (lambda_error("BootTimeout", "no agent after 600 s"), "BootTimeout: no agent after 600 s"),
    (lambda_error("CapacityError", "EC2 has no capacity"), "CapacityError: EC2 has no capacity"),
    ({"Error": "States.TaskFailed", "Cause": "plain text"}, "States.TaskFailed: plain text"),
    ({"Error": "AwsError"}, "AwsError"),
    ({}, "Unknown"),
])
def test_other_errors_are_infrastructure_errors_with_the_error_as_reason(error, reason):
    assert classify(run(), error) == ("error", None, reason)
