"""Startup: the seed's startup() for the default region runs at deploy (a Lambda-backed custom resource).

The function is the custom resource's service token itself: no provider framework Lambda needed.
"""
from aws_cdk import CustomResource, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from functions.aws.permissions import EC2_ACTIONS, KEY_PARAMETER_PREFIX
from functions.store.schema import KV
from infra import settings
from infra.constructs.storage import Storage
from infra.lambda_function import grant_aws_actions, make_function

HANDLER = "functions.startup.handler.handler"


class Startup(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage) -> None:
        super().__init__(scope, id)
        fn = make_function(self, "Startup", handler=HANDLER, size=settings.FUNCTION_SIZES["Startup"])
        storage.use(fn, KV, "rw")  # records the region's startup result, as Provision does
        grant_aws_actions(fn, EC2_ACTIONS["Startup"])
        key_parameters = Stack.of(self).format_arn(service="ssm", resource="parameter",
                                                   resource_name=KEY_PARAMETER_PREFIX.strip("/") + "/*")
        fn.add_to_role_policy(iam.PolicyStatement(actions=["ssm:PutParameter", "ssm:GetParameter"],
                                                  resources=[key_parameters]))
        CustomResource(self, "DefaultRegion", service_token=fn.function_arn,
                       properties={"Version": settings.STARTUP_RESOURCE_VERSION})
