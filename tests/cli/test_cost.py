"""`repl cost`: the caller's runs since a date, grouped by type, region or day, with runs, instance hours
and USD (each run's cost_usd is the control plane's); paging stops at --since; bad flags exit 2."""
import json

import pytest

from tests.cli.conftest import make_run


def ended(run_id: str, day: str, hours: float, usd_per_hour: float | None, **fields) -> dict:
    """A run created at 10:00 on `day` whose instance ran `hours` (launch to confirmed termination)."""
    end = f"{day}T{10 + int(hours):02d}:{int(hours % 1 * 60):02d}:00.000Z"
    return make_run(run_id, status="succeeded", exit_code=0, created_at=f"{day}T10:00:00.000Z",
                    launched_at=f"{day}T10:00:00.000Z", ended_at=end, terminated_at=end, instance_id="i-0abc",
                    price_usd_per_hour=usd_per_hour, price_source="on-demand", **fields)


RUNS = [  # newest first, as the API lists them
    ended("r4", "2026-11-25", 2, 0.0104),
    ended("r3", "2026-11-25", 1, 0.096, instance_type="m5.large", region="eu-west-1"),
    ended("r2", "2026-11-20", 0.5, None, instance_type="x9.mega"),  # no price: counted, not costed
    ended("r1", "2026-11-02", 1, 0.0104),
    ended("r0", "2026-10-30", 5, 0.0104),  # before --since 2026-11-01
]


def test_runs_are_totalled_by_instance_type_since_the_date(repl_main, plane):
    plane.listed = RUNS
    result = repl_main("cost", "--since", "2026-11-01", server=plane)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "SPEC      RUNS  HOURS  COST",
        "m5.large  1     1.00   $0.0960",
        "t3.micro  2     3.00   $0.0312",
        "x9.mega   1     0.50   $0+?",
        "total     4     4.50   $0.1272+?"]
    assert result.stderr == "[repl] 1 run(s) without a known price are counted in RUNS and HOURS, not in COST\n"


def test_by_day_and_by_region_in_json(repl_main, plane):
    plane.listed = RUNS
    by_day = json.loads(repl_main("cost", "--since", "2026-11-01", "--by", "day", "--json", server=plane).stdout)
    assert [(g["key"], g["runs"], g["cost_usd"]) for g in by_day["groups"]] == [
        ("2026-11-02", 1, 0.0104), ("2026-11-20", 1, 0.0), ("2026-11-25", 2, 0.1168)]
    assert (by_day["since"], by_day["by"], by_day["total"]["unpriced"]) == ("2026-11-01", "day", 1)
    by_region = json.loads(repl_main("cost", "--since", "2026-11-01", "--by", "region", "--json", server=plane).stdout)
    assert [(g["key"], g["runs"], g["hours"]) for g in by_region["groups"]] == [("eu-west-1", 1, 1.0),
                                                                                ("us-east-1", 3, 3.5)]


def test_paging_stops_at_the_first_run_older_than_since(repl_main, plane):
    plane.listed = [ended(f"r{n:03d}", "2026-11-25", 1, 0.0104) for n in range(250)] + RUNS
    result = json.loads(repl_main("cost", "--since", "2026-11-21", "--json", server=plane).stdout)
    assert result["total"]["runs"] == 252 and len(plane.calls("GET", "/v1/runs")) == 2


def test_the_default_window_is_the_last_30_days(repl_main, plane):
    plane.listed = RUNS  # the tests' clock is 2026-11-26
    assert json.loads(repl_main("cost", "--json", server=plane).stdout)["since"] == "2026-10-27"


@pytest.mark.parametrize("argv, message", [
    (("--since", "yesterday"), "argument --since: 'yesterday' is not a date; allowed: YYYY-MM-DD (UTC)"),
    (("--since", "2026-02-30"), "argument --since: '2026-02-30' is not a date"),
    (("--by", "owner"), "argument --by: invalid choice: 'owner' (choose from 'spec', 'region', 'day')")])
def test_a_bad_date_or_grouping_is_a_usage_error_naming_the_flag(repl_main, plane, argv, message):
    result = repl_main("cost", *argv, server=plane)
    assert (result.exit_code, result.stdout) == (2, "") and message in result.stderr
    assert plane.calls("GET", "/v1/runs") == []
