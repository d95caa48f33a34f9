"""make_function(): the one place that sets runtime, arch, tracing, logging, layer and code for a Lambda."""
from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import settings
from infra.assets import lambda_code


def _powertools_layer(scope: Construct) -> lambda_.ILayerVersion:
    stack = Stack.of(scope)
    existing = stack.node.try_find_child("PowertoolsLayer")
    if existing is not None:
        return existing
    arn = (f"arn:aws:lambda:{Aws.REGION}:{settings.POWERTOOLS_ACCOUNT}:layer:"
           f"{settings.POWERTOOLS_LAYER_NAME}:{settings.POWERTOOLS_LAYER_VERSION}")
    return lambda_.LayerVersion.from_layer_version_arn(stack, "PowertoolsLayer", arn)


def make_function(scope: Construct, id: str, *, handler: str, size: settings.FunctionSize,
                  env: dict[str, str] | None = None) -> lambda_.Function:
    """A Python 3.12 Lambda with its own role and log group. Never put a secret in `env`."""
    log_group = logs.LogGroup(scope, f"{id}Logs", retention=settings.LOG_RETENTION,
                              removal_policy=RemovalPolicy.DESTROY)
    base_env = {
        "POWERTOOLS_SERVICE_NAME": settings.POWERTOOLS_SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": settings.POWERTOOLS_METRICS_NAMESPACE,
        "LOG_LEVEL": settings.LOG_LEVEL,
        "CONTROL_ID": Stack.of(scope).node.get_context(settings.CONTROL_ID_CONTEXT),
    }
    return lambda_.Function(
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
        environment={**base_env, **(env or {})},
    )


def grant_aws_actions(fn: lambda_.Function, actions: tuple[str, ...]) -> None:
    """EC2/STS actions, exactly as functions/aws/permissions.EC2_ACTIONS lists them for this function.

    These APIs take no useful resource ARNs at call time (Describe*, RunInstances on new resources),
    so Resource is "*" as in the seed's policy; TerminateInstances is limited to our tagged instances.
    """
    terminate = [a for a in actions if a == "ec2:TerminateInstances"]
    others = [a for a in actions if a not in terminate]
    if others:
        fn.add_to_role_policy(iam.PolicyStatement(actions=others, resources=["*"]))
    if terminate:
        fn.add_to_role_policy(iam.PolicyStatement(actions=terminate, resources=["*"],
                                                  conditions=settings.MANAGED_TAG_CONDITION))
