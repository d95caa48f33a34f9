"""What `repl` says while a run fails over (issue 13): the live line's "capacity: trying …", one line per
refused launch in a log, the summary naming where it ran, and `repl run get` listing every attempt."""
import json

from functions.core.records import Attempt, Choice
from tests.cli.conftest import step
from tests.cli.test_status_line import PLAIN, ticking

CHOICES = [Choice("us-east-1", "t3.micro", False), Choice("us-west-2", "t3.micro", False)]
REASON = "EC2 has no capacity for this launch in us-east-1 (InsufficientInstanceCapacity: none)"


def attempt(number, region, outcome, round_=1, **fields):
    return Attempt(number=number, round=round_, choice=0 if region == "us-east-1" else 1, region=region,
                   instance_type="t3.micro", spot=False, started_ms=0, outcome=outcome, **fields)


EAST_FULL = attempt(1, "us-east-1", "capacity", reason=REASON)
WEST_FULL = attempt(2, "us-west-2", "capacity", reason=REASON.replace("us-east-1", "us-west-2"))
WEST_TRY = attempt(3, "us-west-2", "launching", round_=2)
WEST_RAN = attempt(3, "us-west-2", "launched", round_=2, instance_id="i-0abc")


def script(plane):
    common = {"choices": CHOICES}
    plane.script("r1", step("provisioning", attempts=[EAST_FULL, WEST_FULL], **common),
                 step("provisioning", attempts=[EAST_FULL, WEST_FULL, WEST_TRY], region="us-west-2", **common),
                 step("booting", attempts=[EAST_FULL, WEST_FULL, WEST_RAN], region="us-west-2", instance_id="i-0abc",
                      **common),
                 step("succeeded", exit_code=0, attempts=[EAST_FULL, WEST_FULL, WEST_RAN], region="us-west-2",
                      instance_id="i-0abc", started_at="2026-11-26T17:01:00.000Z", ended_at="2026-11-26T17:01:02.000Z",
                      **common), choices=CHOICES)


def test_the_live_line_says_what_it_tries_and_the_back_off(repl_main, plane):
    script(plane)
    clock, sleep = ticking()
    result = repl_main("run", "--spec", "t3.micro", "--region", "us-east-1,us-west-2", "-c", "x", server=plane,
                       err_tty=True, clock=clock, sleep=sleep, env={**PLAIN, "COLUMNS": "140"})
    drawn = [text.rstrip() for text in result.stderr.split("\r") if "·" in text]
    assert any(text.endswith("capacity: none for any choice in round 1 of 4; trying again in 30 s") for text in drawn)
    assert any(text.endswith("capacity: trying us-west-2 t3.micro (round 2)") for text in drawn), drawn
    assert "instance i-0abc (us-west-2 t3.micro on-demand) being terminated" in result.stderr


def test_a_log_gets_one_line_per_refused_launch(repl_main, plane):
    script(plane)
    result = repl_main("run", "--spec", "t3.micro", "--region", "us-east-1,us-west-2", "-c", "x", server=plane)
    lines = [line for line in result.stderr.splitlines() if "capacity" in line]
    assert lines == ["[repl] us-west-2 t3.micro: no capacity; none for any choice in round 1 of 4; trying again in 30 s",
                     "[repl] us-west-2 t3.micro: no capacity; trying us-west-2 t3.micro (round 2)"], result.stderr


def test_run_get_lists_each_attempt_and_json_has_them_all(repl_main, plane):
    plane.script("r1", step("succeeded", exit_code=0, attempts=[EAST_FULL, WEST_RAN], region="us-west-2",
                            instance_id="i-0abc", choices=CHOICES))
    text = " ".join(repl_main("run", "get", "r1", server=plane).stdout.split())  # the columns' padding aside
    assert "choices: us-east-1 t3.micro on-demand, us-west-2 t3.micro on-demand" in text
    assert f"attempt 1: us-east-1 t3.micro on-demand · round 1 · capacity · {REASON}" in text, text
    assert "attempt 3: us-west-2 t3.micro on-demand · round 2 · launched · i-0abc" in text
    plane.script("r1", step("succeeded", exit_code=0, attempts=[EAST_FULL, WEST_RAN], choices=CHOICES))
    run = json.loads(repl_main("run", "get", "r1", "--json", server=plane).stdout)["run"]
    assert [(a["region"], a["outcome"], a["instance_id"]) for a in run["attempts"]] == [
        ("us-east-1", "capacity", None), ("us-west-2", "launched", "i-0abc")]
