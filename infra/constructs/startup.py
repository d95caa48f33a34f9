"""Startup: the seed's startup() for the default region runs at deploy (a Lambda-backed custom resource).

The function is the custom resource's service token itself: no provider framework Lambda needed.
"""
from aws_cdk import CustomResource
from constructs import Construct

from functions.aws.permissions import EC2_ACTIONS, KEY_PARAMETER_PREFIX
from infra import settings
from infra.constructs.storage import Storage
from infra.lambda_function import grant_aws_actions, make_function
from infra.nag import acknowledge
from infra.parameters import grant_parameters

HANDLER = "functions.startup.handler.handler"


class Startup(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage) -> None:
        super().__init__(scope, id)
        fn = make_function(self, "Startup", handler=HANDLER, size=settings.FUNCTION_SIZES["Startup"])
        storage.use(fn, "Startup")  # records the region's startup result, as Provision does
        grant_aws_actions(fn, EC2_ACTIONS["Startup"])
        grant_parameters(fn, KEY_PARAMETER_PREFIX, "ssm:PutParameter", "ssm:GetParameter",
                         why_every_name="one private key per region (skyrepl-{region}); this one for the stack's")
        # CloudFormation invokes it asynchronously and waits for its answer: the handler answers every
        # failure (FAILED, with the reason), which fails and rolls back the deployment saying why.
        acknowledge(fn, "Serverless-LambdaDLQ", "CloudFormation waits for this custom resource's answer and the "
                    "handler reports every failure as FAILED: a lost event shows as the deployment's failure")
        CustomResource(self, "DefaultRegion", service_token=fn.function_arn,
                       properties={"Version": settings.STARTUP_RESOURCE_VERSION})
