"""Cost for every run: Provision records the price the run pays and shortens its deadline to its max
cost; POST /v1/runs checks max_cost_usd; the monthly budget refuses a create, naming the amounts."""
from pathlib import Path

import pytest

from functions.aws import clients
from functions.core.clock import now_ms
from functions.settings import settings
from functions.store import runs
from functions.workflow import provision
from tests.functions import api_helpers, provision_helpers
from tests.functions.conftest import REGION, calls, inject

api = provision_helpers.api  # a fresh account with every table
aws_tables, plane = api_helpers.aws_tables, api_helpers.plane
SEEDED = str(Path(__file__).resolve().parents[2] / "local" / "prices.json")


@pytest.fixture
def priced(api, monkeypatch):
    """On-demand prices from the embedded stack's seeded list (moto has no Price List API)."""
    monkeypatch.setenv("PRICE_LIST_FILE", SEEDED)
    clients.reset()
    return api


def test_provision_records_the_on_demand_price_and_the_launch(priced):
    run = priced.create()
    before = now_ms()
    provision.handler({"run_id": run.run_id})
    view = priced.call("GET", f"/v1/runs/{run.run_id}")[1]["run"]
    assert (view["price_usd_per_hour"], view["price_source"]) == (0.0104, "on-demand")
    assert runs.get(run.run_id).launched_ms >= before and view["cost_usd"] == pytest.approx(0.0104 / 60, rel=0.01)


def test_a_spot_run_pays_its_spot_price_and_without_one_at_most_on_demand(priced):
    spot = priced.create(spot=True)
    provision.handler({"run_id": spot.run_id})
    assert (runs.get(spot.run_id).price_usd_per_hour, runs.get(spot.run_id).price_source) == (0.00001, "spot")
    inject(clients.ec2(REGION), "DescribeSpotPriceHistory", "UnauthorizedOperation")
    unpriced = priced.create(spot=True)
    provision.handler({"run_id": unpriced.run_id})
    assert (runs.get(unpriced.run_id).price_usd_per_hour, runs.get(unpriced.run_id).price_source) == (0.0104, "on-demand")


def test_a_price_lookup_that_fails_never_fails_the_launch(api):
    seen = calls(clients.pricing())  # moto answers GetProducts 404: the lookup fails
    run = api.create()
    assert provision.handler({"run_id": run.run_id})["instance_id"].startswith("i-")
    stored = runs.get(run.run_id)
    assert seen == ["GetProducts"] and stored.price_usd_per_hour is None and stored.price_source is None


def test_a_max_cost_shortens_the_deadline_to_what_the_price_pays_for(priced):
    run = priced.create(max_cost_usd=0.0052, max_duration_ms=3_600_000)  # half an hour of a t3.micro
    provision.handler({"run_id": run.run_id})
    stored = runs.get(run.run_id)
    assert stored.deadline_ms - stored.launched_ms == pytest.approx(1_800_000, abs=2_000)
    generous = priced.create(max_cost_usd=100.0, max_duration_ms=600_000)  # the max-duration comes first
    provision.handler({"run_id": generous.run_id})
    stored = runs.get(generous.run_id)
    assert stored.deadline_ms - stored.launched_ms == pytest.approx(600_000, abs=2_000)


def test_a_max_cost_without_a_price_leaves_the_max_duration_and_says_it_is_not_enforced(api):
    run = api.create(max_cost_usd=0.001)
    provision.handler({"run_id": run.run_id})
    view = api.call("GET", f"/v1/runs/{run.run_id}")[1]["run"]
    assert (view["max_cost_usd"], view["price_usd_per_hour"], view["cost_usd"]) == (0.001, None, None)
    stored = runs.get(run.run_id)
    assert stored.deadline_ms - stored.launched_ms == pytest.approx(stored.max_duration_ms, abs=2_000)


@pytest.mark.parametrize("value", [0, 5e-324, 0.000009, -1, 1_000_001, True, "1", None])
def test_max_cost_usd_is_a_number_from_a_hundred_thousandth_to_a_million(plane, value):
    body = {"spec": "t3.micro", "command": "x", "max_cost_usd": value}
    status, answer = plane.call("POST", "/v1/runs", body)
    if value is None:  # null: no max cost
        assert status == 201 and answer["run"]["max_cost_usd"] is None
        return
    assert (status, answer["error"]["field"]) == (400, "max_cost_usd") and plane.stored_runs() == []


def test_a_max_cost_is_kept_on_the_run(plane):
    assert plane.create(max_cost_usd=2.5)["max_cost_usd"] == 2.5
    assert plane.create(max_cost_usd=1_000_000)["max_cost_usd"] == 1_000_000


@pytest.fixture
def budgeted(plane, monkeypatch):
    monkeypatch.setenv("BUDGET_MONTHLY_USD", "1")
    settings.cache_clear()
    yield plane
    settings.cache_clear()


def test_the_monthly_budget_counts_ended_and_active_runs_and_refuses_naming_the_amounts(budgeted):
    now = now_ms()
    ended, active = budgeted.create(), budgeted.create()
    runs.update(ended["run_id"], price_usd_per_hour=2.0, launched_ms=now - 1_200_000, terminated_ms=now - 600_000)
    runs.update(active["run_id"], price_usd_per_hour=0.5, launched_ms=now - 1_800_000)  # $0.25 so far
    assert budgeted.create()["status"] == "pending"  # $0.33 + $0.25 of $1
    runs.update(active["run_id"], launched_ms=now - 6_000_000)  # $0.83 so far: $1.17 in all
    status, answer = budgeted.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "x"})
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (403, "limit_reached", "budget")
    assert answer["error"]["message"].startswith(
        "budget: your runs this month cost $1.17 of this deployment's monthly $1;")
    assert len(budgeted.stored_runs()) == 3


def test_without_a_budget_cost_never_refuses(plane):
    run = plane.create()
    runs.update(run["run_id"], price_usd_per_hour=1000.0, launched_ms=now_ms() - 3_600_000)
    assert plane.create()["status"] == "pending"
