"""SSM parameter grants: each function gets exactly the actions it calls, on exactly one path."""
from aws_cdk import Stack
from aws_cdk import aws_iam as iam


def grant_parameters(fn, prefix: str, *actions: str) -> None:
    arn = Stack.of(fn).format_arn(service="ssm", resource="parameter", resource_name=prefix.strip("/") + "/*")
    fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[arn]))
