"""Spot interruption through the agent API: start_run tells the agent the run is spot, the agent's
`interrupted` status is checked and recorded on the run, and the run then ends `interrupted`."""
import json

import pytest

from functions.core.clock import iso, now_ms, parse_iso
from functions.core.records import AgentReport
from functions.store import runs
from functions.core import outcomes
from functions.workflow import dispatch_run
from tests.functions import api_helpers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

NOTICE = {"action": "terminate", "time": "2026-11-26T12:00:00Z"}
REASON = "spot interruption notice (terminate at 2026-11-26T12:00:00.000Z)"


def start_run_data(agent) -> dict:
    _status, body = agent.events()
    return json.loads(next(line for line in body.splitlines() if line.startswith("data: "))[len("data: "):])


@pytest.mark.parametrize("spot", [True, False])
def test_start_run_says_whether_the_run_is_spot(plane, spot):
    agent = plane.agent(spot=spot)
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    assert start_run_data(agent)["spot"] is spot


def test_a_notice_is_recorded_on_the_run_and_shown_by_the_api(plane):
    agent = plane.agent(spot=True)
    assert agent.status("interrupted", **NOTICE) == (200, {"ok": True})
    recorded = runs.get(agent.run_id).interruption
    assert (recorded.action, recorded.at_ms) == ("terminate", parse_iso("2026-11-26T12:00:00Z"))
    assert 0 < recorded.reported_ms <= now_ms()
    status, answer = plane.call("GET", f"/v1/runs/{agent.run_id}")
    assert status == 200 and answer["run"]["interruption"] == {
        "action": "terminate", "at": "2026-11-26T12:00:00.000Z", "reported_at": iso(recorded.reported_ms)}
    assert answer["run"]["interruption"]["reported_at"].endswith("Z")
    assert answer["run"]["status"] == "pending"  # a notice ends nothing: the agent or the workflow does


def test_a_second_notice_keeps_the_first(plane):
    agent = plane.agent(spot=True)
    agent.status("interrupted", **NOTICE)
    assert agent.status("interrupted", action="stop", time="2026-11-26T12:05:00Z")[0] == 200
    assert runs.get(agent.run_id).interruption.action == "terminate"


@pytest.mark.parametrize("fields, field", [
    ({"time": NOTICE["time"]}, "action"),
    ({"action": "reboot", "time": NOTICE["time"]}, "action"),
    ({"action": 5, "time": NOTICE["time"]}, "action"),
    ({"action": "terminate"}, "time"),
    ({"action": "terminate", "time": "soon"}, "time"),
    ({"action": "terminate", "time": "2026-11-26T12:00:00"}, "time"),  # no zone
    ({"action": "terminate", "time": 1795694400}, "time"),
])
def test_a_bad_notice_answers_400_naming_the_field_and_records_nothing(plane, fields, field):
    agent = plane.agent(spot=True)
    status, answer = agent.status("interrupted", **fields)
    assert (status, answer["error"]["field"]) == (400, field) and answer["error"]["message"].startswith(f"{field}: ")
    assert runs.get(agent.run_id).interruption is None


def test_the_agents_interrupted_exit_ends_the_run_interrupted_with_the_notice_as_reason(plane):
    agent = plane.agent(spot=True)
    runs.update(agent.run_id, task_token="token-1")
    successes = plane.sfn_calls("SendTaskSuccess")
    agent.status("interrupted", **NOTICE)
    agent.status("exited", exit_code=None, interrupted=True)
    report = json.loads(successes[0]["output"])
    assert report["interrupted"] is True
    assert outcomes.from_report(runs.get(agent.run_id), AgentReport(**report)) == ("interrupted", None, REASON)


def test_a_notice_then_silence_is_interrupted_not_a_lost_agent(plane):
    agent = plane.agent(spot=True)
    agent.status("interrupted", **NOTICE)
    run = runs.get(agent.run_id)
    assert outcomes.from_error(run, {"Error": "States.HeartbeatTimeout"}) == ("interrupted", None, REASON)


def test_without_a_notice_silence_is_still_a_lost_agent(plane):
    run = runs.get(plane.agent(spot=True).run_id)
    assert outcomes.from_error(run, {"Error": "States.HeartbeatTimeout"})[0] == "error"
    assert run.deadline_ms is None or now_ms() < run.deadline_ms
