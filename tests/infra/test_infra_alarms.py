"""The alarms, their SNS topic (SSL only), the e-mail subscription and the webhook's wiring, from context."""
import pytest
from aws_cdk.assertions import Template
from infra_helpers import Synth, as_list, load_app_module, source_files
from test_infra_nag import findings

from functions.settings import WEBHOOK_SECRET_PARAMETER

ENDS_RUNS = ("AgentApi", "Finalize", "Cleanup", "Sweeper")  # every function that calls run_end.finish


@pytest.fixture(scope="module")
def with_context(tmp_path_factory) -> Synth:
    outdir = tmp_path_factory.mktemp("alarms-context")
    _, stack = load_app_module().build(outdir=str(outdir), context={
        "alarm_email": "ops@example.com", "webhook_url": "https://hooks.example.com/skyrepl"})
    return Synth(outdir, stack, Template.from_stack(stack), source_files())


def alarms(synth) -> dict[str, dict]:
    return {r["Properties"].get("MetricName"): r["Properties"] for r in synth.of_type("AWS::CloudWatch::Alarm").values()}


def test_each_alarm_fires_at_one_and_notifies_the_topic(synth):
    found = alarms(synth)
    assert set(found) == {"LeaksCaught", "OrphansFound", "WorkflowFailures", "ExecutionsFailed"}
    [topic_id] = synth.of_type("AWS::SNS::Topic")
    for name, alarm in found.items():
        assert (alarm["Threshold"], alarm["ComparisonOperator"], alarm["EvaluationPeriods"], alarm["Statistic"]) == (
            1, "GreaterThanOrEqualToThreshold", 1, "Sum"), name
        assert alarm["AlarmActions"] == [{"Ref": topic_id}] and alarm["TreatMissingData"] == "notBreaching"
    for name in ("LeaksCaught", "OrphansFound", "WorkflowFailures"):  # as functions/observability.py emits them
        assert (found[name]["Namespace"], found[name]["Dimensions"]) == ("SkyREPL", [{"Name": "service", "Value": "skyrepl"}])
    assert found["ExecutionsFailed"]["Namespace"] == "AWS/States"


def test_the_topic_refuses_anything_but_tls_and_has_no_subscriber_without_context(synth):
    [policy] = synth.of_type("AWS::SNS::TopicPolicy").values()
    [deny] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert synth.of_type("AWS::SNS::Subscription") == {}
    assert all("WEBHOOK_URL" not in synth.env(key) for key in synth.functions)


def test_alarm_email_subscribes_and_webhook_url_wires_the_functions_that_end_runs(with_context):
    [sub] = with_context.of_type("AWS::SNS::Subscription").values()
    assert (sub["Properties"]["Protocol"], sub["Properties"]["Endpoint"]) == ("email", "ops@example.com")
    wired = {key for key in with_context.functions if "WEBHOOK_URL" in with_context.env(key)}
    assert wired == set(ENDS_RUNS)
    for key in ENDS_RUNS:
        assert with_context.env(key)["WEBHOOK_URL"] == "https://hooks.example.com/skyrepl"
        [grant] = [s for s in with_context.statements(with_context.role(key))
                   if "ssm:PutParameter" in as_list(s["Action"]) and WEBHOOK_SECRET_PARAMETER.strip("/")
                   in str(s["Resource"])]
        assert sorted(as_list(grant["Action"])) == ["ssm:GetParameter", "ssm:PutParameter"]
        assert "*" not in str(grant["Resource"])  # exactly the one name
    assert findings(with_context.stack) == set()  # cdk-nag stays clean with the subscription and the grants


@pytest.mark.parametrize("key, value", [("alarm_email", "not-an-address"), ("alarm_email", "a@b"),
                                        ("webhook_url", "http://hooks.example.com/x"), ("webhook_url", "ftp://x")])
def test_a_bad_value_fails_the_synth_naming_its_key(tmp_path, key, value):
    with pytest.raises(ValueError, match=f"-c {key}="):
        load_app_module().build(outdir=str(tmp_path), context={key: value})
