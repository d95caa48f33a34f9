"""POST /v1/agent/logs and /v1/agent/status, and GET /v1/agent/code."""
import base64
import io
import json
import subprocess
import sys
import zipfile

import pytest

from functions.core.clock import now_ms
from functions.core.records import AgentReport, LogBatch, LogEntry
from functions.store import logs, runs
from tests.functions import api_helpers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

OUT = [{"stream": "stdout", "data": "hello\n"}]


def test_a_batch_is_stored_under_its_seq_and_a_resent_seq_is_stored_once(plane):
    agent = plane.agent()
    taken = (200, {"ok": True, "attached": False})  # no follower reads the output
    assert agent.logs(1, OUT) == taken
    assert agent.logs(1, [{"stream": "stdout", "data": "hello again\n"}]) == taken
    assert agent.logs(2, [{"stream": "stderr", "data": "warn"}]) == taken
    assert logs.read(agent.run_id, 0) == ([LogBatch(agent.run_id, 1, (LogEntry("stdout", "hello\n"),)),
                                           LogBatch(agent.run_id, 2, (LogEntry("stderr", "warn"),))], 2)


@pytest.mark.parametrize("seq, entries, field", [
    (1, [{"stream": "stdin", "data": "x"}], "entries"),
    (1, [{"stream": "stdout", "data": 5}], "entries"),
    (1, [{"stream": "stdout"}], "entries"),
    (1, "hello", "entries"),
    (1, None, "entries"),
    (0, OUT, "seq"),
    ("1", OUT, "seq"),
    (True, OUT, "seq"),
    (None, OUT, "seq"),
])
def test_a_bad_batch_answers_400_naming_the_field_and_stores_nothing(plane, seq, entries, field):
    agent = plane.agent()
    status, answer = agent.logs(seq, entries)
    assert (status, answer["error"]["field"]) == (400, field) and answer["error"]["message"].startswith(f"{field}: ")
    assert logs.read(agent.run_id, 0) == ([], 0)


def test_started_moves_the_run_to_running(plane):
    agent = plane.agent()
    assert agent.status("started") == (200, {"ok": True})
    run = runs.get(agent.run_id)
    assert run.status == "running" and run.started_ms


def test_started_never_moves_an_ended_run_back(plane):
    agent = plane.agent()
    runs.finish(agent.run_id, "cancelled", None, "cancelled by the user", now_ms())
    assert agent.status("started")[0] == 200
    run = runs.get(agent.run_id)
    assert (run.status, run.started_ms) == ("cancelled", None)


def test_exited_writes_the_report_and_completes_the_waiting_task(plane):
    agent = plane.agent()
    runs.update(agent.run_id, task_token="token-1")
    successes = plane.sfn_calls("SendTaskSuccess")
    assert agent.status("exited", exit_code=3) == (200, {"ok": True})
    run = runs.get(agent.run_id)
    assert run.agent_report == AgentReport(exit_code=3)
    assert [(s["taskToken"], json.loads(s["output"])) for s in successes] == [("token-1", {
        "exit_code": 3, "timed_out": False, "cancelled": False, "interrupted": False, "restarted": False})]
    # the run is over for its user at once; the workflow terminates the instance (terminated_at later)
    assert (run.status, run.exit_code, run.reason, run.terminated_ms) == ("failed", 3, "command exited with code 3",
                                                                         None)


@pytest.mark.parametrize("flag", ["timed_out", "cancelled", "interrupted"])
def test_exited_carries_the_agents_flags(plane, flag):
    agent = plane.agent()
    agent.status("exited", exit_code=None, **{flag: True})
    assert runs.get(agent.run_id).agent_report == AgentReport(**{"exit_code": None, "timed_out": False,
                                                                 "cancelled": False, "interrupted": False, flag: True})


@pytest.mark.parametrize("code", ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"])
def test_exited_with_a_stale_task_token_still_answers_ok(plane, code):
    agent = plane.agent()
    runs.update(agent.run_id, task_token="token-old")
    plane.sfn_calls("SendTaskSuccess", fail_with=code)
    assert agent.status("exited", exit_code=0) == (200, {"ok": True})
    assert runs.get(agent.run_id).agent_report.exit_code == 0


@pytest.mark.parametrize("body, field", [({"status": "done"}, "status"), ({}, "status"),
                                         ({"status": "exited", "exit_code": "0"}, "exit_code"),
                                         ({"status": "exited", "exit_code": False}, "exit_code")])
def test_a_bad_status_answers_400_naming_the_field(plane, body, field):
    agent = plane.agent()
    status, answer = agent.post("/v1/agent/status", {"run_id": agent.run_id, **body})
    assert (status, answer["error"]["field"]) == (400, field)
    assert runs.get(agent.run_id).agent_report is None


def test_the_agent_code_is_a_base64_zip_that_python_runs(plane, tmp_path):
    status, text = plane.agent().call("GET", "/v1/agent/code")
    archive = base64.b64decode(text)
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert status == 200 and {"__main__.py", "agent/__init__.py", "agent/main.py"} <= set(names)
    (tmp_path / "agent.zip").write_bytes(archive)
    isolated = [sys.executable, "-I", "-S"]  # no site-packages, no checkout on the path: the zip alone must do
    done = subprocess.run(isolated + [str(tmp_path / "agent.zip"), "--help"], capture_output=True, text=True,
                          timeout=30, cwd=tmp_path)
    assert done.returncode == 0 and "--api-url" in done.stdout and "--token-file" in done.stdout
