"""A run's cost (instance time x price, EC2's one-minute minimum), the deadline a max cost sets, the
reason a run stopped by it ends with, and the monthly budget's refusal."""
import pytest

from functions.api.budget import month_start_ms
from functions.api.views import run_view
from functions.core import costs, limits
from functions.core.clock import parse_iso
from functions.core.errors import LimitReached
from functions.core.outcomes import from_report, timed_out
from functions.core.records import AgentReport
from tests.records import HOUR_MS, make_run

T0 = parse_iso("2026-11-26T17:00:00.000Z")
PRICED = {"launched_ms": T0, "price_usd_per_hour": 0.0104, "price_source": "on-demand"}


@pytest.mark.parametrize("fields, now, usd", [
    ({"terminated_ms": T0 + HOUR_MS, "ended_ms": T0 + 1000}, T0 + 5 * HOUR_MS, 0.0104),  # to the confirmed termination
    ({"ended_ms": T0 + 2 * HOUR_MS}, T0 + 5 * HOUR_MS, 0.0208),  # no confirmation: to the run's end
    ({}, T0 + HOUR_MS // 2, 0.0052),  # still going: to now
    ({"ended_ms": T0 + 10_000}, T0 + HOUR_MS, 0.0104 / 60),  # 10 s are billed as a minute
    ({"price_usd_per_hour": 0.0035, "price_source": "spot", "ended_ms": T0 + 2 * HOUR_MS}, T0, 0.007),  # spot
])
def test_the_cost_is_instance_time_with_a_one_minute_minimum_times_the_price(fields, now, usd):
    assert costs.run_cost_usd(make_run(**{**PRICED, **fields}), now) == pytest.approx(usd)


def test_no_price_or_no_launch_is_no_cost_never_a_guess():
    assert costs.run_cost_usd(make_run(**{**PRICED, "price_usd_per_hour": None}), T0 + HOUR_MS) is None
    assert costs.run_cost_usd(make_run(**{**PRICED, "launched_ms": None}), T0 + HOUR_MS) is None
    view = run_view(make_run(instance_type="x9.mega", launched_ms=T0))
    assert (view["cost_usd"], view["price_usd_per_hour"], view["price_source"]) == (None, None, None)


def test_the_view_has_the_price_and_the_cost():
    view = run_view(make_run(**PRICED, terminated_ms=T0 + HOUR_MS, max_cost_usd=5.0))
    assert (view["price_usd_per_hour"], view["price_source"], view["cost_usd"], view["max_cost_usd"]) == (
        0.0104, "on-demand", 0.0104, 5.0)
    assert view["launched_at"] == "2026-11-26T17:00:00.000Z"


def test_a_max_cost_allows_the_time_its_price_pays_for():
    assert costs.cost_window_ms(0.0104, 0.0104) == HOUR_MS
    assert costs.cost_window_ms(1.0, None) is None and costs.cost_window_ms(None, 0.0104) is None
    assert costs.limited_by_cost(make_run(max_cost_usd=0.0052, **PRICED))  # 30 min < the 1 h max-duration
    assert not costs.limited_by_cost(make_run(max_cost_usd=1.0, **PRICED))  # 96 h: the max-duration comes first
    assert not costs.limited_by_cost(make_run(max_cost_usd=0.0052))  # no price: the limit is not enforced


def test_a_run_stopped_at_its_max_costs_deadline_says_so():
    run = make_run(max_cost_usd=0.001, **PRICED)
    assert timed_out(run) == ("timed_out", None, "max cost (USD 0.001 at $0.0104/h) reached")
    assert from_report(run, AgentReport(exit_code=None, timed_out=True))[2].startswith("max cost (USD 0.001")
    assert timed_out(make_run(**PRICED))[2] == f"max-duration {HOUR_MS} ms reached"


def test_the_budget_refuses_at_or_over_it_naming_both_amounts():
    budget = limits.Limits(active_runs=1, instance_types=("*",), max_duration_ms=HOUR_MS, budget_monthly_usd=50)
    limits.check_budget(budget, 49.99)
    with pytest.raises(LimitReached) as refused:
        limits.check_budget(budget, 50.004)
    assert refused.value.message.startswith("budget: your runs this month cost $50.00 of this deployment's monthly $50;")
    limits.check_budget(limits.Limits(1, ("*",), HOUR_MS), 10 ** 6)  # no budget: never refused


def test_the_month_starts_at_midnight_utc_on_the_first():
    assert month_start_ms(parse_iso("2026-11-26T17:00:00.000Z")) == parse_iso("2026-11-01T00:00:00.000Z")
    assert month_start_ms(parse_iso("2026-12-01T00:00:00.000Z")) == parse_iso("2026-12-01T00:00:00.000Z")
