"""cdk-nag's AwsSolutions and Serverless packs over the stack: every finding fixed or acknowledged one by
one (infra/nag.py), each acknowledgement tied to a finding that exists, and a new finding fails."""
import json

import cdk_nag
import pytest
from aws_cdk import Duration, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from infra_helpers import as_list, load_app_module

import infra.nag

PACKS = (cdk_nag.AwsSolutionsChecks, cdk_nag.ServerlessChecks)


def findings(scope) -> set[tuple[str, str]]:
    """(finding id, construct path) of everything the packs report on scope's tree (no synthesis needed:
    the packs read the constructs, so a test can add one and look again in about a second)."""
    return {(v.rule_name, r.construct_path) for pack in PACKS for v in pack().validate_scope(scope).violations
            for r in v.violating_resources}


def acknowledgements(scope) -> set[tuple[str, str, str]]:
    """(finding id, construct path, reason) of every acknowledgement in scope's whole app."""
    return {(rule.removeprefix("Annotation::"), c.node.path, reason) for c in scope.node.root.node.find_all()
            for m in c.node.metadata if m.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
            for rule, reason in m.data.items()}


@pytest.fixture(scope="session")
def unacknowledged(tmp_path_factory) -> set[tuple[str, str]]:
    """What the packs find with every acknowledgement left out: the findings there are to account for."""
    class Ignoring:
        @staticmethod
        def of(_scope):
            return type("Nothing", (), {"acknowledge": lambda *_: None})()

    real, infra.nag.Validations = infra.nag.Validations, Ignoring
    try:
        _, stack = load_app_module().build(outdir=str(tmp_path_factory.mktemp("unacknowledged")))
    finally:
        infra.nag.Validations = real
    return findings(stack)


def test_no_finding_of_either_pack_is_left_unacknowledged(synth):
    assert findings(synth.stack) == set()


def test_each_acknowledgement_answers_a_finding_there_with_a_reason_of_its_own(synth, unacknowledged):
    for rule, path, reason in acknowledgements(synth.stack):
        assert path not in ("", synth.stack.node.path), f"{rule}: acknowledged for the whole app or stack"
        assert any(f == rule and (p == path or p.startswith(path + "/")) for f, p in unacknowledged), (
            f"{rule} on {path}: no such finding (stale, or acknowledged on the wrong construct)")
        assert len(reason) >= 40, (rule, path, reason)  # a reason, not a shrug


def test_a_new_unlogged_bucket_a_new_wildcard_and_a_new_schedule_are_each_reported(tmp_path):
    _, stack = load_app_module().build(outdir=str(tmp_path))
    s3.Bucket(stack, "Stray")
    api = stack.node.find_child("Api")
    run_files = stack.node.find_child("RunFiles")
    # on the Api's own policy, whose other wildcards are acknowledged: this one is not
    api.user_fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:GetObject"],
                                                       resources=[run_files.bucket.arn_for_objects("*")]))
    events.Rule(stack, "StraySchedule", schedule=events.Schedule.rate(Duration.hours(1)),
                targets=[targets.LambdaFunction(api.agent_fn)])
    bucket_id = stack.get_logical_id(run_files.bucket.node.default_child)
    assert {rule for rule, _ in findings(stack)} == {
        "AwsSolutions-S1", "AwsSolutions-S10",  # no access log, no TLS-only policy
        f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]", "Serverless-EventBusDLQ"}


def test_a_wildcard_resource_is_there_only_for_actions_that_take_no_resource_arn(synth):
    # nag's finding is per policy and resource string: an acknowledged Resource::* would also cover a
    # new statement on "*" in the same policy. These are the only ones there may be.
    no_arn = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    sampling = {"xray:GetSamplingRules", "xray:GetSamplingTargets"}  # Step Functions also samples
    log_delivery = {"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"}
    for policy_id, policy in synth.of_type("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = set(as_list(statement["Action"]))
            if statement["Effect"] != "Allow" or "*" not in as_list(statement["Resource"]):
                continue
            if "AwsActions" in policy_id:  # grant_aws_actions: EC2 and STS only, conditioned as its tests prove
                assert all(a.startswith(("ec2:", "sts:")) for a in actions), (policy_id, actions)
            elif "PriceList" in policy_id:  # the Price List API has no resources (functions/aws/prices.py)
                assert actions == {"pricing:GetProducts"}, (policy_id, actions)
            elif "LaunchRun" in policy_id:  # the state machine: tracing and writing its log group
                assert actions <= no_arn | sampling | log_delivery, (policy_id, actions)
            else:
                assert actions == no_arn, (policy_id, json.dumps(statement))
