"""--max-cost USD on `repl run`, and what `repl run get` says of a run's price and cost."""
import pytest

from tests.cli.conftest import step

RUN = ("run", "--spec", "t3.micro", "-c", "true", "--detach", "--no-sync")


@pytest.mark.parametrize("text, usd", [("0.50", 0.5), ("$2", 2.0), ("1000000", 1_000_000.0)])
def test_the_flag_sends_max_cost_usd(repl_main, plane, text, usd):
    plane.script("r1")
    assert repl_main(*RUN, "--max-cost", text, server=plane).exit_code == 0
    assert plane.calls("POST", "/v1/runs")[0]["body"]["max_cost_usd"] == usd


def test_without_the_flag_no_max_cost_is_sent(repl_main, plane):
    plane.script("r1")
    repl_main(*RUN, server=plane)
    assert "max_cost_usd" not in plane.calls("POST", "/v1/runs")[0]["body"]


@pytest.mark.parametrize("text", ["0", "0.000009", "-1", "1000001", "cheap", "nan", "inf"])
def test_a_bad_amount_is_refused_naming_the_flag(repl_main, plane, text):
    result = repl_main(*RUN, "--max-cost", text, server=plane)
    assert result.exit_code == 2 and "argument --max-cost:" in result.stderr and "US dollars" in result.stderr
    assert plane.calls("POST", "/v1/runs") == []


def test_run_get_shows_the_cost_in_one_line(repl_main, plane):
    plane.script("r1", step("succeeded", exit_code=0, instance_id="i-0abc", launched_at="2026-11-26T17:00:00.000Z",
                            ended_at="2026-11-26T18:00:00.000Z", price_usd_per_hour=0.0104, price_source="on-demand",
                            max_cost_usd=0.5))
    lines = repl_main("run", "get", "r1", server=plane).stdout.splitlines()
    assert "cost:            $0.0104 (t3.micro, on-demand $0.0104/h)" in lines and "max_cost:        $0.5" in lines
    assert not [line for line in lines if line.startswith(("price_", "cost_usd"))]


def test_run_get_says_when_a_max_cost_cannot_be_enforced(repl_main, plane):
    plane.script("r1", step("running", instance_id="i-0abc", launched_at="2026-11-26T17:00:00.000Z",
                            instance_type="x9.mega", max_cost_usd=1.0))
    lines = repl_main("run", "get", "r1", server=plane).stdout.splitlines()
    assert "cost:            unknown (no price for this type and region)" in lines
    assert "max_cost:        $1; not enforced: no price is known for this type" in lines
