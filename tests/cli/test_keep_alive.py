"""`repl run --keep-alive DURATION`, the summary line of a kept run, and `repl instance terminate ID|RUN`."""
import json

import pytest

from functions.core.clock import parse_iso
from functions.core.errors import Conflict
from tests.cli.conftest import step
from tests.cli.fake_plane import make_instance, make_run

RUN = ("run", "--spec", "t3.micro", "-c", "true", "--no-sync")
KEPT_UNTIL = "2026-11-26T17:10:00.000Z"
INSTANCE = make_instance(instance_id="i-0abc", run_id="r1", state="running")


@pytest.mark.parametrize("text, ms", [("10m", 600_000), ("90s", 90_000), ("1500", 1_500)])
def test_the_flag_sends_keep_alive_ms(repl_main, plane, text, ms):
    plane.script("r1")
    assert repl_main(*RUN, "--detach", "--keep-alive", text, server=plane).exit_code == 0
    assert plane.calls("POST", "/v1/runs")[0]["body"]["keep_alive_ms"] == ms


def test_without_the_flag_nothing_is_kept(repl_main, plane):
    plane.script("r1")
    repl_main(*RUN, "--detach", server=plane)
    assert "keep_alive_ms" not in plane.calls("POST", "/v1/runs")[0]["body"]


@pytest.mark.parametrize("text, says", [("forever", "argument --keep-alive:"), ("0", "keep_alive_ms: 0 is out of range"),
                                        ("8d", "keep_alive_ms: ")])
def test_a_bad_duration_is_refused_before_any_request(repl_main, plane, text, says):
    result = repl_main(*RUN, "--keep-alive", text, server=plane)
    assert result.exit_code == 2 and says in result.stderr, result.stderr
    assert plane.calls("POST", "/v1/runs") == []


def test_the_summary_says_until_when_the_instance_stays_and_how_to_end_it(repl_main, plane):
    plane.script("r1", step("succeeded", ("stdout", "hi\n"), exit_code=0, instance_id="i-0abc",
                            started_at="2026-11-26T17:00:01.000Z", ended_at="2026-11-26T17:00:02.000Z",
                            keep_alive_ms=600_000, kept_until_ms=parse_iso(KEPT_UNTIL)))
    result = repl_main(*RUN, "--keep-alive", "10m", server=plane)
    assert result.exit_code == 0 and result.stdout == "hi\n"
    assert ("instance i-0abc kept until 2026-11-26 17:10:00 UTC (repl ssh r1; repl instance terminate r1 ends it)"
            in result.stderr)


def test_terminate_waits_until_ec2_confirms_and_says_so(repl_main, plane):
    plane.script("r1", step("succeeded", terminated_at="2026-11-26T17:05:00.000Z"), status="succeeded",
                 instance_id="i-0abc")
    plane.routes[("DELETE", "/v1/instances/r1")] = (200, {"instance": INSTANCE, "run": make_run(
        "r1", status="succeeded", instance_id="i-0abc")})
    result = repl_main("instance", "terminate", "r1", server=plane)
    assert result == (0, "instance i-0abc of run r1 terminated at 2026-11-26 17:05:00 UTC\n", "")
    assert len(plane.calls("GET", "/v1/runs/r1")) == 1


def test_terminate_no_wait_returns_once_asked(repl_main, plane):
    plane.routes[("DELETE", "/v1/instances/i-0abc")] = (200, {"instance": INSTANCE, "run": make_run(
        "r1", status="succeeded", instance_id="i-0abc")})
    result = repl_main("instance", "terminate", "i-0abc", "--no-wait", "--json", server=plane)
    assert result.exit_code == 0 and json.loads(result.stdout)["instance"]["instance_id"] == "i-0abc"
    assert plane.calls("GET", "/v1/runs") == []


def test_terminate_of_a_running_run_says_what_to_do_and_fails(repl_main, plane):
    plane.fail("DELETE", "/v1/instances/r1", Conflict("instance: run r1 is running on i-0abc; repl run cancel r1 "
                                                      "stops its command and terminates the instance", field="instance"))
    result = repl_main("instance", "terminate", "r1", server=plane)
    assert result.exit_code != 0 and "repl run cancel r1" in result.stderr
