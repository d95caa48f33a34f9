"""The limits on what one owner starts reach the Api function from cdk context, with their defaults."""
from types import SimpleNamespace

from infra import settings


def test_the_api_function_gets_the_default_limits(synth):
    env = synth.env("Api")
    assert (env["LIMIT_ACTIVE_RUNS"], env["LIMIT_INSTANCE_TYPES"], env["LIMIT_MAX_DURATION_MS"]) == (
        "100", "*", str(7 * 24 * 3_600_000))


def test_each_context_value_given_replaces_its_default():
    context = {"limit_active_runs": 5, "limit_instance_types": "t3.*,c7g.*"}
    scope = SimpleNamespace(node=SimpleNamespace(try_get_context=context.get))
    assert settings.limits_env(scope) == {"LIMIT_ACTIVE_RUNS": "5", "LIMIT_INSTANCE_TYPES": "t3.*,c7g.*",
                                          "LIMIT_MAX_DURATION_MS": str(7 * 24 * 3_600_000)}
