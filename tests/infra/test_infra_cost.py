"""Cost: only Provision and the pool keeper may look up prices (pricing:GetProducts, which takes no
resource ARN), and the monthly budget reaches the Api function from cdk context (-c budget_monthly_usd=N;
none by default)."""
from types import SimpleNamespace

import pytest
from infra_helpers import as_list

from functions.aws.permissions import PRICE_LIST_ACTIONS
from infra import settings


def scope_with(context: dict):
    return SimpleNamespace(node=SimpleNamespace(get_all_context=lambda: {"control_id": "k3j9xa", **context}))


def test_provision_and_the_pool_keeper_alone_may_get_products_and_on_any_resource(synth):
    holders = {key for key in synth.functions if "pricing:GetProducts" in synth.actions(synth.role(key))}
    assert holders == set(PRICE_LIST_ACTIONS) == {"Provision", "PoolKeeper"}  # a run's price; a pool's
    for key in holders:
        [statement] = [s for s in synth.statements(synth.role(key)) if "pricing:GetProducts" in as_list(s["Action"])]
        assert (as_list(statement["Action"]), statement["Resource"], statement.get("Condition")) == (
            ["pricing:GetProducts"], "*", None)


def test_no_function_has_another_pricing_action(synth):
    pricing = {a for key in synth.functions for a in synth.actions(synth.role(key)) if a.startswith("pricing:")}
    assert pricing == {"pricing:GetProducts"}


def test_there_is_no_budget_by_default(synth):
    assert "BUDGET_MONTHLY_USD" not in synth.env("Api")
    assert settings.budget_env(scope_with({})) == {}


def test_a_budget_in_the_context_reaches_the_api_function():
    assert settings.budget_env(scope_with({"budget_monthly_usd": 250})) == {"BUDGET_MONTHLY_USD": "250"}
    assert settings.budget_env(scope_with({"budget_monthly_usd": "12.5"})) == {"BUDGET_MONTHLY_USD": "12.5"}


@pytest.mark.parametrize("value", ["ten", "0", "-5", "inf", "nan"])
def test_a_budget_the_function_could_not_read_fails_the_synth_naming_it(value):
    with pytest.raises(ValueError) as refused:
        settings.budget_env(scope_with({"budget_monthly_usd": value}))
    assert str(refused.value) == f"-c budget_monthly_usd={value}: must be a number of US dollars above 0"
