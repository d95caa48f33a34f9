"""The limits on what one owner starts reach the Api function from cdk context, with their defaults."""
from types import SimpleNamespace

import pytest

from infra import settings


def scope_with(context: dict):
    return SimpleNamespace(node=SimpleNamespace(get_all_context=lambda: {"control_id": "k3j9xa", **context}))


def test_the_api_function_gets_the_default_limits(synth):
    env = synth.env("Api")
    assert (env["LIMIT_ACTIVE_RUNS"], env["LIMIT_INSTANCE_TYPES"], env["LIMIT_MAX_DURATION_MS"]) == (
        "100", "*", str(7 * 24 * 3_600_000))


def test_each_context_value_given_replaces_its_default():
    context = {"limit_active_runs": 5, "limit_instance_types": "t3.*,c7g.*"}
    assert settings.limits_env(scope_with(context)) == {"LIMIT_ACTIVE_RUNS": "5", "LIMIT_INSTANCE_TYPES": "t3.*,c7g.*",
                                          "LIMIT_MAX_DURATION_MS": str(7 * 24 * 3_600_000)}


@pytest.mark.parametrize("context, message", [
    ({"limit_activ_runs": 5}, "-c limit_activ_runs: not a limit; did you mean limit_active_runs?"),
    ({"limit_active_runs": "five"}, "-c limit_active_runs=five: must be a whole number of at least 1"),
    ({"limit_max_duration_ms": "0"}, "-c limit_max_duration_ms=0: must be a whole number of at least 1")])
def test_a_misspelt_limit_or_a_value_the_function_could_not_read_fails_the_synth(context, message):
    with pytest.raises(ValueError) as refused:
        settings.limits_env(scope_with(context))
    assert str(refused.value).startswith(message)
