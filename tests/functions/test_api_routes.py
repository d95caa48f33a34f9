"""Logs, cancel, instances, health and unknown routes of the user API Lambda."""
import json

import pytest

from functions.core.clock import now_ms
from functions.core.records import LogBatch, LogEntry
from functions.store import instances, logs, runs
from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER, OWNER

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share


def stdout(*texts) -> tuple:
    return tuple(LogEntry("stdout", t) for t in texts)


def put(run_id: str, seq: int, entries: tuple, retention_days: int = 30) -> None:
    assert logs.put_batch(LogBatch(run_id, seq, entries), retention_days)


def test_logs_page_after_a_cursor_and_come_with_the_run(plane):
    run = plane.create()
    put(run["run_id"], 1, stdout("a\n", "b"))
    put(run["run_id"], 2, (LogEntry("stderr", "oops\n"),))
    put(run["run_id"], 3, stdout("c\n"))
    status, page = plane.call("GET", f"/v1/runs/{run['run_id']}/logs")
    assert status == 200 and page["next"] == 3 and page["run"] == run
    assert page["entries"] == [
        {"seq": 1, "stream": "stdout", "data": "a\n"}, {"seq": 1, "stream": "stdout", "data": "b"},
        {"seq": 2, "stream": "stderr", "data": "oops\n"}, {"seq": 3, "stream": "stdout", "data": "c\n"}]
    assert plane.call("GET", f"/v1/runs/{run['run_id']}/logs?after=2")[1]["entries"] == [
        {"seq": 3, "stream": "stdout", "data": "c\n"}]
    assert plane.call("GET", f"/v1/runs/{run['run_id']}/logs?after=3")[1]["entries"] == []
    assert plane.call("GET", f"/v1/runs/{run['run_id']}/logs?after=3")[1]["next"] == 3


def test_expired_log_batches_are_not_returned_but_are_read_past(plane):
    run = plane.create()
    put(run["run_id"], 1, stdout("old\n"), -1)  # expired yesterday; moto never deletes it
    put(run["run_id"], 2, stdout("new\n"))
    status, page = plane.call("GET", f"/v1/runs/{run['run_id']}/logs?after=0")
    assert status == 200 and page["entries"] == [{"seq": 2, "stream": "stdout", "data": "new\n"}]
    assert page["next"] == 2


def test_a_bad_after_cursor_answers_400_after(plane):
    run = plane.create()
    status, answer = plane.call("GET", f"/v1/runs/{run['run_id']}/logs?after=x")
    assert (status, answer["error"]["field"]) == (400, "after")


def test_cancel_of_an_active_run_flags_it_and_queues_cancel_run_for_its_agent(plane):
    run = plane.create()
    key, _ = plane.add_instance(run["run_id"])
    status, answer = plane.call("POST", f"/v1/runs/{run['run_id']}/cancel")
    assert status == 202 and answer["run"]["run_id"] == run["run_id"]
    assert runs.get(run["run_id"]).cancel_requested
    assert [(e.type, e.data) for e in instances.get(key).events] == [("cancel_run", {"run_id": run["run_id"]})]


def test_cancel_of_a_running_command_asks_its_agent_first_and_leaves_the_task_waiting(plane):
    run = plane.create()
    key, _ = plane.add_instance(run["run_id"])
    runs.update(run["run_id"], task_token="token-1")
    failures = plane.sfn_calls("SendTaskFailure")
    assert plane.call("POST", f"/v1/runs/{run['run_id']}/cancel")[0] == 202
    assert failures == []  # the agent stops the command, ships its last output, then reports `cancelled`
    assert [e.type for e in instances.get(key).events] == ["cancel_run"]
    assert runs.get(run["run_id"]).cancel_requested_ms > 0


def test_cancel_while_the_workflow_waits_with_no_agent_fails_its_task(plane):
    run = plane.create()
    runs.update(run["run_id"], task_token="token-1")
    failures = plane.sfn_calls("SendTaskFailure")
    assert plane.call("POST", f"/v1/runs/{run['run_id']}/cancel")[0] == 202
    assert [(f["taskToken"], f["error"]) for f in failures] == [("token-1", "RunCancelled")]


def test_cancel_of_an_ended_run_answers_409_and_changes_nothing(plane):
    run = plane.create()
    runs.finish(run["run_id"], "succeeded", 0, "command exited with code 0", now_ms())
    status, answer = plane.call("POST", f"/v1/runs/{run['run_id']}/cancel")
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (409, "conflict", "run_id")
    assert runs.get(run["run_id"]).cancel_requested_ms is None


def test_instances_hide_terminated_ones_unless_all_is_true(plane):
    run = plane.create()
    live, _ = plane.add_instance(run["run_id"])
    plane.add_instance("rold", state="terminated")
    plane.add_instance("rtheirs", owner=OTHER)
    status, answer = plane.call("GET", "/v1/instances")
    assert status == 200 and [i["run_id"] for i in answer["instances"]] == [run["run_id"]]
    assert set(answer["instances"][0]) >= {"instance_id", "run_id", "region", "instance_type", "spot", "state",
                                           "launched_at", "terminated_at"}
    assert sorted(i["run_id"] for i in plane.call("GET", "/v1/instances?all=true")[1]["instances"]) == sorted(
        ["rold", run["run_id"]])


def test_health_names_the_control_plane(plane):
    assert plane.call("GET", "/v1/health") == (200, {"status": "ok", "control_id": "apitst", "version": "0.1.0",
                                                     "caller": OWNER, "region": "us-east-1"})


@pytest.mark.parametrize("method, path", [("GET", "/v1/nothing"), ("POST", "/v1/runs/r1/nope"), ("GET", "/")])
def test_an_unknown_route_answers_404_json(plane, method, path):
    status, answer = plane.call(method, path)
    assert (status, answer["error"]["code"]) == (404, "not_found")
    assert answer["error"]["message"].startswith("path: ")


@pytest.mark.parametrize("method, path, allowed", [("DELETE", "/v1/runs", "GET, POST"),
                                                   ("PUT", "/v1/snapshots/ami-1", "DELETE, GET"),
                                                   ("OPTIONS", "/v1/health", "GET")])
def test_a_method_the_path_has_not_answers_405_naming_those_it_has(plane, method, path, allowed):
    res = plane.respond(method, path)
    error = json.loads(res["body"])["error"]
    assert (res["statusCode"], error["code"], error["field"]) == (405, "method_not_allowed", "method")
    assert error["message"].startswith(f"method: {method} ") and error["message"].endswith(f"allowed: {allowed}")
    assert api_helpers.response_headers(res)["allow"] == allowed
