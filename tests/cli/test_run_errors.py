"""`repl run` refusals: usage errors, client-side validation and the API's 400, all exit 2."""
import pytest

from functions.core.errors import Invalid, TooManyRuns
from tests.cli.conftest import step

SPEC = ("run", "--spec", "ubuntu:noble:amd64")


def test_a_400_from_the_api_prints_its_message_and_exits_2(repl_main, plane):
    plane.script("r1")
    plane.fail("POST", "/v1/runs", Invalid("region: 'xx-east-9' is not enabled", field="region"))
    result = repl_main(*SPEC, "-c", "true", "--region", "eu-west-3", server=plane)
    assert result == (2, "", "repl: region: 'xx-east-9' is not enabled\n")


@pytest.mark.parametrize("flags, field", [(("--spec", "ubuntu:bionic:amd64"), "spec: version 'bionic'"),
                                          (("--spec", "t3.micro", "--max-duration", "10"), "max_duration_ms: 10"),
                                          (("--spec", "t3.micro", "--region", "Mars"), "region: 'Mars'"),
                                          (("--spec", "t3.micro", "--provider", "gcp"), "provider: 'gcp'")])
def test_bad_input_is_refused_before_anything_is_sent(repl_main, plane, flags, field):
    result = repl_main("run", *flags, "-c", "true", server=plane)
    assert result.exit_code == 2 and result.stderr.startswith(f"repl: {field}")
    assert plane.requests == []


@pytest.mark.parametrize("argv", [("run", "-c", "true"), ("run", "--spec", "t3.micro"),
                                  ("run", "--spec", "t3.micro", "-c", "x", "--max-duration", "1.5"),
                                  ("run", "--bogus"), ("instance",), ("local", "sideways")])
def test_usage_errors_exit_2_with_usage_on_stderr(repl_main, plane, argv):
    result = repl_main(*argv, server=plane)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "usage: repl" in result.stderr and plane.requests == []


def test_missing_flags_are_named(repl_main):
    assert "required: --spec, --command" in repl_main("run").stderr


def test_a_create_the_gateway_drops_is_retried_with_the_same_idempotency_key(repl_main, plane, sleeps):
    plane.script("r1", step("succeeded", exit_code=0))
    plane.flaky("POST", "/v1/runs", 503, times=2)
    assert repl_main(*SPEC, "-c", "true", "--detach", server=plane) == (0, "r1\n", "")
    keys = [call["headers"].get("Idempotency-Key") for call in plane.calls("POST", "/v1/runs")]
    assert len(keys) == 3 and len(set(keys)) == 1 and len(keys[0]) == 36
    assert sleeps == [1.0, 2.0]


def test_a_create_still_failing_after_three_attempts_reports_the_gateways_message(repl_main, plane, sleeps):
    plane.script("r1")
    plane.flaky("POST", "/v1/runs", 502, times=3)
    result = repl_main(*SPEC, "-c", "true", "--detach", server=plane)
    assert result.exit_code == 1 and result.stderr == "repl: Service Unavailable\n"
    assert len(plane.calls("POST", "/v1/runs")) == 3


def test_each_repl_run_sends_its_own_idempotency_key(repl_main, plane):
    plane.script("r1")
    for _ in range(2):
        repl_main(*SPEC, "-c", "true", "--detach", server=plane)
    assert len({call["headers"]["Idempotency-Key"] for call in plane.calls("POST", "/v1/runs")}) == 2


def test_a_limit_of_the_deployment_is_told_at_once_not_retried(repl_main, plane, sleeps):
    plane.script("r1")
    message = "runs: 100 of yours are active, this deployment's limit of 100; wait for one to end or cancel one"
    plane.fail("POST", "/v1/runs", TooManyRuns(message, field="runs"))
    result = repl_main(*SPEC, "-c", "true", "--detach", server=plane)
    assert result.exit_code != 0 and result.stderr == f"repl: {message}\n"
    assert len(plane.calls("POST", "/v1/runs")) == 1 and sleeps == []
