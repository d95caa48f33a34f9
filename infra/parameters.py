"""SSM parameter grants: each function gets exactly the actions it calls, on exactly one path or name."""
from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from infra.nag import acknowledge_wildcard, default_policy


def parameter_arn(scope, name: str) -> str:
    return Stack.of(scope).format_arn(service="ssm", resource="parameter", resource_name=name.strip("/"))


def grant_parameters(fn, prefix: str, *actions: str, why_every_name: str) -> None:
    """The parameters under prefix, whose names are made at run time (why_every_name says which)."""
    arn = parameter_arn(fn, prefix.strip("/") + "/*")
    fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[arn]))
    acknowledge_wildcard(default_policy(fn), arn, f"{prefix}*: {why_every_name}")


def grant_parameter(fn, *names: str, actions: tuple[str, ...]) -> None:
    """Parameters of fixed names: exactly these."""
    fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[parameter_arn(fn, n) for n in names]))
