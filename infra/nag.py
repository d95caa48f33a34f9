"""cdk-nag acknowledgements: one finding at a time, on the resource it concerns, with why it is right here.

cdk-nag 3 reads CDK's own acknowledgements (`Validations.of(construct).acknowledge`) and matches a
finding's exact id, e.g. `AwsSolutions-IAM5[Resource::<RunFilesBucket40DEEDE6.Arn>/logs/*]`: there is no
rule-wide suppression to reach for, and an acknowledgement reaches only its construct and the ones in it.
"""
import json

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))


def default_policy(fn: lambda_.Function) -> iam.Policy:
    """The policy fn's grants (add_to_role_policy) land in, where their wildcard findings are reported."""
    return fn.role.node.find_child("DefaultPolicy")


def acknowledge_wildcard(policy: IConstruct, resource: str, reason: str) -> None:
    """AwsSolutions-IAM5 for one wildcard resource of one policy (resource as given to the statement)."""
    acknowledge(policy, f"AwsSolutions-IAM5[Resource::{flat(Stack.of(policy).resolve(resource))}]", reason)


def flat(value) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in a finding's id (its flattenCfnReference)."""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict) and "Fn::Join" in value:
        delimiter, items = value["Fn::Join"]
        return delimiter.join(flat(item) for item in items)
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<{}.{}>".format(*(flat(part) for part in value["Fn::GetAtt"]))
    if isinstance(value, dict) and "Ref" in value:
        return f"<{flat(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))
