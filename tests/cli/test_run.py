"""`repl run`: create, follow phases and logs, summary, exit codes, detach, --json, Ctrl-C."""
import json
import re

import pytest

from tests.cli.conftest import interrupt, step

SPEC = ("run", "--provider", "aws", "--spec", "ubuntu:noble:amd64")
ENDED = {"started_at": "2026-11-26T17:01:00.000Z", "ended_at": "2026-11-26T17:01:12.300Z", "instance_id": "i-0abc",
         "launched_at": "2026-11-26T17:00:00.000Z", "price_usd_per_hour": 0.0104, "price_source": "on-demand"}
# created 17:00:00, ended 17:01:12.3: 72.3 s of a t3.micro at $0.0104/h
COST = "~$0.0002 (t3.micro, on-demand $0.0104/h)"


def script_exit(plane, code, *entries):
    status = "succeeded" if code == 0 else "failed"
    plane.script("r1", step("provisioning"), step("booting", instance_id="i-0abc"), step("running", *entries),
                 step(status, exit_code=code, reason=f"command exited with code {code}", **ENDED))


def test_stdout_and_stderr_are_written_exactly_as_received(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "hello "), ("stderr", "warn\n"), ("stdout", "world\n")),
                 step("succeeded", ("stdout", "no newline"), exit_code=0, **ENDED))
    result = repl_main(*SPEC, "--command", "x", server=plane)
    assert result.exit_code == 0
    assert result.stdout == "hello world\nno newline"
    assert result.stderr == ("[repl] run r1 pending…\n[repl] running\nwarn\n\n"  # the create's answer, then the output's open line: the summary starts a new one
                             f"[repl] run r1 succeeded (exit 0) in 12.3s; instance i-0abc being terminated; {COST}\n")


def test_each_phase_change_is_announced_once_on_stderr(repl_main, plane):
    plane.script("r1", step("pending"), step("provisioning", spot=True), step("provisioning", spot=True),
                 step("booting", instance_id="i-0abc"), step("running"), step("succeeded", exit_code=0, **ENDED))
    lines = repl_main(*SPEC, "-c", "true", server=plane).stderr.splitlines()
    assert lines[:4] == ["[repl] run r1 pending…", "[repl] provisioning t3.micro in us-east-1 (spot)…",
                         "[repl] booting i-0abc…", "[repl] running"]


def test_the_first_read_already_waits_for_news_of_the_status_the_create_answered(repl_main, plane):
    plane.script("r1", step("booting", instance_id="i-0abc"), step("succeeded", exit_code=0, **ENDED), status="booting")
    result = repl_main(*SPEC, "-c", "true", server=plane)
    reads = plane.calls("GET", "/v1/runs/r1/logs")
    assert result.exit_code == 0 and result.stderr.startswith("[repl] booting the instance…\n")
    assert [r["query"].get("status") for r in reads] == [["booting"], ["booting"]]  # no read that could not wait


def test_with_json_the_first_read_waits_too(repl_main, plane):
    plane.script("r1", step("succeeded", exit_code=0, **ENDED), status="booting")
    result = repl_main(*SPEC, "-c", "true", "--json", server=plane)
    assert json.loads(result.stdout)["run"]["status"] == "succeeded"
    assert [r["query"].get("status") for r in plane.calls("GET", "/v1/runs/r1/logs")] == [["booting"]]


def test_the_command_exit_code_passes_through(repl_main, plane):
    script_exit(plane, 3, ("stdout", "before\n"))
    result = repl_main(*SPEC, "-c", "echo before; exit 3", server=plane)
    assert (result.exit_code, result.stdout) == (3, "before\n")
    assert result.stderr.endswith(f"[repl] run r1 failed (exit 3) in 12.3s; instance i-0abc being terminated; {COST}\n")


@pytest.mark.parametrize("status, reason, code", [
    ("timed_out", "max-duration 300000 ms reached", 124), ("cancelled", "cancelled by the user", 130),
    ("error", "CapacityError: no capacity", 125), ("interrupted", "spot instance reclaimed", 125)])
def test_runs_that_end_without_an_exit_code_map_to_fixed_codes(repl_main, plane, status, reason, code):
    plane.script("r1", step("running", ("stdout", "started\n")), step(status, reason=reason, **ENDED))
    result = repl_main(*SPEC, "-c", "sleep 600", server=plane)
    assert (result.exit_code, result.stdout) == (code, "started\n")
    # the reason says why it ended; the exit code, time, termination and cost as for any run
    assert result.stderr.endswith(f"[repl] run r1 {status} (exit {code}) in 12.3s: {reason}; "
                                  f"instance i-0abc being terminated; {COST}\n")


def test_logs_are_read_after_the_end_until_an_empty_page(repl_main, plane):
    tail = [("stdout", f"line {i}\n") for i in range(7)]
    plane.script("r1", step("succeeded", *tail, exit_code=0, **ENDED))
    result = repl_main(*SPEC, "-c", "seq", server=plane)
    assert result.stdout == "".join(data for _, data in tail)
    afters = [r["query"]["after"][0] for r in plane.calls("GET", "/v1/runs/r1/logs")]
    assert afters == ["0", "2", "4", "6", "7"]


def test_news_is_read_on_at_once_and_an_idle_run_after_the_interval_the_api_suggests(repl_main, plane, sleeps):
    plane.script("r1", step("pending"), step("running"), step("running"), step("running"),
                 step("succeeded", exit_code=0))
    assert repl_main(*SPEC, "-c", "true", server=plane).exit_code == 0
    # three reads with nothing new (the first: still the status the create answered); the rest had news
    assert sleeps == [4.0, 4.0, 4.0]
    reads = plane.calls("GET", "/v1/runs/r1/logs")
    # each read may be held for news, by a stack that can (the embedded one does)
    assert [r["query"]["status"] for r in reads] == [["pending"], ["pending"], ["running"], ["running"], ["running"]]
    assert all(r["query"]["wait"] == ["15"] for r in reads)


def test_the_request_carries_every_flag(repl_main, plane):
    plane.script("r1")
    repl_main(*SPEC, "--command", "echo hi", "--max-duration", "300000", "--spot", "--region", "eu-west-1",
              "--detach", server=plane)
    body = plane.calls("POST", "/v1/runs")[0]["body"]
    assert re.fullmatch(r"[0-9a-f]{64}", body.pop("workdir")["sha256"])  # this directory, synced
    assert body == {"provider": "aws", "spec": "ubuntu:noble:amd64", "command": "echo hi",
                    "max_duration_ms": 300000, "spot": True, "region": "eu-west-1"}


def test_defaults_provider_aws_one_hour_on_demand_and_no_region(repl_main, plane):
    plane.script("r1")
    repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", "--no-sync", server=plane)
    assert plane.calls("POST", "/v1/workdirs") == []
    assert plane.calls("POST")[0]["body"] == {"provider": "aws", "spec": "t3.micro", "command": "true",
                                              "max_duration_ms": 3600000, "spot": False}


def test_detach_prints_only_the_run_id_and_reads_no_logs(repl_main, plane):
    plane.script("r1", step("running"))
    result = repl_main(*SPEC, "-c", "sleep 60", "--detach", server=plane)
    assert result == (0, "r1\n", "")
    assert plane.calls("GET") == []


def test_detach_with_json_prints_the_created_run(repl_main, plane):
    created = plane.script("r1")
    result = repl_main(*SPEC, "-c", "sleep 60", "--detach", "--json", server=plane)
    assert (result.exit_code, json.loads(result.stdout)) == (0, {"run": created})


def test_json_waits_for_the_end_and_prints_only_the_final_run(repl_main, plane):
    script_exit(plane, 3, ("stdout", "not streamed\n"))
    result = repl_main(*SPEC, "-c", "exit 3", "--json", server=plane)
    assert result.exit_code == 3
    final = json.loads(result.stdout)["run"]
    assert (final["status"], final["exit_code"]) == ("failed", 3)
    assert "not streamed" not in result.stdout + result.stderr


def test_ctrl_c_detaches_without_cancelling_and_says_how_to_come_back(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "working\n")))
    result = repl_main(*SPEC, "-c", "sleep 600", server=plane, sleep=interrupt)
    assert (result.exit_code, result.stdout) == (130, "working\n")
    assert result.stderr.endswith("detached from run r1; re-attach with: repl run logs r1 --follow; "
                                  "cancel with: repl run cancel r1\n")
    assert plane.calls("POST", "/v1/runs/r1/cancel") == []


def test_ctrl_c_while_waiting_for_json_detaches_too(repl_main, plane):
    plane.script("r1", step("running"))
    result = repl_main(*SPEC, "-c", "sleep 600", "--json", server=plane, sleep=interrupt)
    assert (result.exit_code, result.stdout) == (130, "")
    assert result.stderr.startswith("detached from run r1;")


def test_a_follower_read_with_no_answer_is_tried_again(repl_main, plane, sleeps):
    plane.script("r1", step("running", ("stdout", "a\n")), step("succeeded", exit_code=0))
    original = plane.answer
    dropped = []

    def answer(method, path, query, body):
        if path == "/v1/runs/r1/logs" and not dropped:
            dropped.append(path)
            raise ConnectionResetError("dropped")  # the server closes the connection: no answer at all
        return original(method, path, query, body)

    plane.answer = answer
    result = repl_main(*SPEC, "-c", "true", server=plane)
    assert (result.exit_code, result.stdout) == (0, "a\n") and dropped


def test_output_without_a_trailing_newline_does_not_run_into_the_summary(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "no newline")), step("succeeded", exit_code=0, **ENDED))
    result = repl_main(*SPEC, "-c", "printf 'no newline'", server=plane)
    assert result.stdout == "no newline" and result.stderr.split("\n")[-2].startswith("[repl] run r1 succeeded")
    assert "\n[repl] run r1 succeeded" in result.stderr
