"""`repl run get|logs|cancel` (`repl run list`: test_run_list.py)."""
import json

from functions.core.errors import Conflict, SkyReplError
from tests.cli.conftest import interrupt, step


def test_get_prints_key_value_lines_including_the_reason(repl_main, plane):
    plane.script("r1", step("failed", exit_code=3, reason="command exited with code 3"))
    lines = repl_main("run", "get", "r1", server=plane).stdout.splitlines()
    assert "run_id:          r1" in lines and "reason:          command exited with code 3" in lines
    assert "exit_code:       3" in lines and "started_at:      -" in lines and "spot:            no" in lines


def test_get_json_prints_the_run(repl_main, plane):
    plane.script("r1", step("running"))
    assert json.loads(repl_main("run", "get", "r1", "--json", server=plane).stdout)["run"]["status"] == "running"


def test_an_unknown_run_is_not_found_exit_1(repl_main, plane):
    for argv in (("get", "nope"), ("logs", "nope"), ("cancel", "nope"), ("logs", "nope", "--follow")):
        assert repl_main("run", *argv, server=plane) == (1, "", "repl: run nope not found\n")


def test_logs_prints_everything_stored_so_far_and_exits_0(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "a\n"), ("stderr", "b\n"), ("stdout", "c")))
    assert repl_main("run", "logs", "r1", server=plane) == (0, "a\nc", "b\n")


def test_logs_json_prints_the_entries(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "a\n"), ("stderr", "b\n"), ("stdout", "c")))
    entries = json.loads(repl_main("run", "logs", "r1", "--json", server=plane).stdout)["entries"]
    assert [(e["seq"], e["stream"], e["data"]) for e in entries] == [(1, "stdout", "a\n"), (2, "stderr", "b\n"),
                                                                      (3, "stdout", "c")]


def test_logs_follow_waits_for_the_end_and_exits_with_the_run_code(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "a\n")), step("running"), step("failed", ("stdout", "b\n"),
                 exit_code=3, instance_id="i-0abc"))
    result = repl_main("run", "logs", "r1", "--follow", server=plane)
    assert (result.exit_code, result.stdout) == (3, "a\nb\n")
    assert result.stderr.startswith("[repl] running\n") and "failed (exit 3)" in result.stderr


def test_logs_follow_ctrl_c_detaches(repl_main, plane):
    plane.script("r1", step("running"))
    result = repl_main("run", "logs", "r1", "--follow", server=plane, sleep=interrupt)
    assert result.exit_code == 130 and result.stderr.endswith("cancel with: repl run cancel r1\n")


def test_cancel_posts_and_says_so(repl_main, plane):
    plane.script("r1", step("running"))
    assert repl_main("run", "cancel", "r1", server=plane) == (0, "cancelling run r1\n", "")
    assert len(plane.calls("POST", "/v1/runs/r1/cancel")) == 1


def test_cancel_json_prints_the_run(repl_main, plane):
    plane.script("r1", step("running"))
    assert json.loads(repl_main("run", "cancel", "r1", "--json", server=plane).stdout)["run"]["run_id"] == "r1"


def test_cancel_of_an_ended_run_is_a_conflict_exit_1(repl_main, plane):
    plane.script("r1", step("succeeded", exit_code=0))
    plane.fail("POST", "/v1/runs/r1/cancel", Conflict("run_id: run r1 has already ended (succeeded)", field="run_id"))
    assert repl_main("run", "cancel", "r1", server=plane) == (1, "", "repl: run r1 has already ended (succeeded)\n")


def test_a_server_error_prints_the_api_message_exit_1(repl_main, plane):
    plane.fail("GET", "/v1/runs", SkyReplError("internal error (request id abc)"))
    assert repl_main("run", "list", server=plane) == (1, "", "repl: internal error (request id abc)\n")
