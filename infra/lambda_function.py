"""make_function(): the one place that sets runtime, arch, tracing, logging, layer and code for a Lambda."""
from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from functions.aws.permissions import CANONICAL, DESTRUCTIVE, TAGGED_CREATES, TAGS_ON_EXISTING
from infra import settings
from infra.assets import lambda_code
from infra.nag import acknowledge, default_policy


def _powertools_layer(scope: Construct) -> lambda_.ILayerVersion:
    stack = Stack.of(scope)
    existing = stack.node.try_find_child("PowertoolsLayer")
    if existing is not None:
        return existing
    arn = ssm.StringParameter.value_for_string_parameter(stack, settings.POWERTOOLS_LAYER_PARAMETER)
    return lambda_.LayerVersion.from_layer_version_arn(stack, "PowertoolsLayer", arn)


def make_function(scope: Construct, id: str, *, handler: str, size: settings.FunctionSize,
                  env: dict[str, str] | None = None) -> lambda_.Function:
    """A Python 3.12 Lambda with its own role and log group. Never put a secret in `env`."""
    log_group = logs.LogGroup(scope, f"{id}Logs", retention=settings.LOG_RETENTION,
                              removal_policy=RemovalPolicy.DESTROY)
    # Its own role with no managed policy: AWSLambdaBasicExecutionRole would let it write to any log
    # group of the account; this one writes to its own only (CreateLogStream, PutLogEvents).
    role = iam.Role(scope, f"{id}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    log_group.grant_write(role)
    base_env = {
        "POWERTOOLS_SERVICE_NAME": settings.POWERTOOLS_SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": settings.POWERTOOLS_METRICS_NAMESPACE,
        "LOG_LEVEL": settings.LOG_LEVEL,
        "CONTROL_ID": Stack.of(scope).node.get_context(settings.CONTROL_ID_CONTEXT),
    }
    fn = lambda_.Function(
        scope, id,
        runtime=lambda_.Runtime.PYTHON_3_12,
        architecture=lambda_.Architecture.X86_64,  # must match the Powertools layer's arch
        code=lambda_code(scope),
        handler=handler,
        layers=[_powertools_layer(scope)],
        memory_size=size.memory_mb,
        timeout=Duration.seconds(size.timeout_s),
        tracing=lambda_.Tracing.ACTIVE,
        log_group=log_group,
        role=role,
        environment={**base_env, **(env or {})},
    )
    acknowledge(default_policy(fn), "AwsSolutions-IAM5[Resource::*]",
                "X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) accept no resource ARN")
    for finding in ("AwsSolutions-L1", "Serverless-LambdaLatestVersion"):
        acknowledge(fn, finding, "python3.12 goes with the Powertools layer build it loads "
                                 "(settings.POWERTOOLS_LAYER_PARAMETER) and is supported by Lambda; a newer "
                                 "runtime is a change of its own (layer, tests), not a lint's side effect")
    return fn


def grant_aws_actions(fn: lambda_.Function, actions: tuple[str, ...], *, function: str | None = None) -> None:
    """EC2/STS actions, exactly as functions/aws/permissions.EC2_ACTIONS lists them for this function
    (and, for `function`'s entry in permissions.TAGS_ON_EXISTING, CreateTags on an existing instance).

    Describe* and creating new resources take no useful resource ARNs, so their Resource is "*" as in
    the seed's policy, and conditions do the narrowing: a destructive action only on resources tagged
    with this deployment's control id (so two deployments in one account never touch each other's),
    CreateTags only as part of a create of this function's (tag-on-create) or, on an instance that
    exists, only of the keys it writes there (_tags_on_existing), and RunInstances only from Canonical's
    images or this account's own (snapshots). They are a policy of their own, so that its "*" is
    acknowledged for these reasons and the X-Ray one for X-Ray's.
    """
    if not actions:
        return
    control_id = Stack.of(fn).node.get_context(settings.CONTROL_ID_CONTEXT)
    destructive = [a for a in actions if a in DESTRUCTIVE]
    tagging = [a for a in actions if a == "ec2:CreateTags"]
    others = [a for a in actions if a not in destructive + tagging]
    statements = []
    if others:
        statements.append(iam.PolicyStatement(actions=others, resources=["*"]))
    if destructive:
        statements.append(iam.PolicyStatement(actions=destructive, resources=["*"],
                                              conditions=settings.ours_only(control_id)))
    if tagging:
        creates = sorted(a.split(":", 1)[1] for a in actions if a in TAGGED_CREATES)
        if creates:  # the sweeper creates nothing: it tags existing instances only (TAGS_ON_EXISTING)
            statements.append(iam.PolicyStatement(actions=tagging, resources=["*"], conditions={
                "StringEquals": {"ec2:CreateAction": creates}}))
    existing = TAGS_ON_EXISTING.get(function) if tagging else None
    if existing:
        statements += _tags_on_existing(control_id, *existing)
    if "ec2:RunInstances" in actions:
        statements.append(iam.PolicyStatement(
            effect=iam.Effect.DENY, actions=["ec2:RunInstances"], resources=["arn:aws:ec2:*::image/*"],
            conditions={"StringNotEquals": {"ec2:Owner": [CANONICAL, Aws.ACCOUNT_ID]}}))
    # Under the role: the function depends on the role's whole subtree, so it is made only once these
    # are (the deploy-time Startup is invoked, and calls EC2, as soon as it exists).
    policy = iam.Policy(fn.role, "AwsActions", statements=statements, roles=[fn.role])
    acknowledge(policy, "AwsSolutions-IAM5[Resource::*]", (
        "EC2 Describe*, the creates of new resources and sts:GetCallerIdentity accept no resource ARN; the "
        "destructive actions hold only on resources tagged with this deployment's control id, CreateTags only "
        "inside this function's own creates, RunInstances only from Canonical's or this account's images"))
    if existing:
        acknowledge(policy, f"AwsSolutions-IAM5[Resource::{settings.ANY_INSTANCE}]", (
            "CreateTags on instances that exist, whose ids are made by EC2 at launch: only of the keys this "
            "function writes there, and only on this deployment's instances (or, for the pool keeper, one "
            "its persistent spot request launched untagged, tagged as this deployment's)"))


def grant_price_list(fn: lambda_.Function, actions: tuple[str, ...]) -> None:
    """The Price List API (functions/aws/prices.py), as permissions.PRICE_LIST_ACTIONS lists it for fn."""
    policy = iam.Policy(fn.role, "PriceList", roles=[fn.role],
                        statements=[iam.PolicyStatement(actions=list(actions), resources=["*"])])
    acknowledge(policy, "AwsSolutions-IAM5[Resource::*]",
                "pricing:GetProducts accepts no resource ARN: the Price List API has no resources")


def _tags_on_existing(control_id: str, keys: tuple[str, ...], whose: str) -> list[iam.PolicyStatement]:
    """ec2:CreateTags on an instance that exists: of exactly these keys, on this deployment's instances
    ("ours", as the destructive actions) or also on untagged ones ("untagged")."""
    only_keys = {"ForAllValues:StringEquals": {"aws:TagKeys": list(keys)}}
    ours = settings.ours_only(control_id)["StringEquals"]
    if whose == "ours":
        return [iam.PolicyStatement(actions=["ec2:CreateTags"], resources=[settings.ANY_INSTANCE],
                                    conditions={**only_keys, "StringEquals": ours})]
    # The keeper's spot instances: a persistent request launches each with no tag at all, so this cannot
    # ask for our control-id tag on it as TerminateInstances does. What can be asked: the request writes
    # only our keys, and marks the instance as this deployment's (RequestTag); the instance carries no
    # control id yet (Null: another deployment's instance is never re-tagged as ours), or ours already (a
    # retry that tags it again); and it is a spot instance (the keeper tags its on-demand ones on create).
    # ec2:InstanceMarketType is one of the instance resource's condition keys; IfExists so that a context
    # without it can only narrow nothing, never refuse the keeper's tag (its instance would stay unseen).
    marked = {f"aws:RequestTag/{key}": value for key, value in (
        ("skyrepl:managed", "true"), ("skyrepl:control-id", control_id))}
    spot = {"StringEqualsIfExists": {"ec2:InstanceMarketType": "spot"}}
    untagged = {"Null": {"aws:ResourceTag/skyrepl:control-id": "true"}, "StringEquals": marked}
    again = {"StringEquals": {**marked, **ours}}
    return [iam.PolicyStatement(actions=["ec2:CreateTags"], resources=[settings.ANY_INSTANCE],
                                conditions={**only_keys, **spot, **condition}) for condition in (untagged, again)]
