"""Pools: the pool keeper Lambda (functions/lifecycle/pool_keeper.py), its one-minute schedule, and who may ask it for a keep."""
from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions import tailscale
from functions.aws.permissions import EC2_ACTIONS, KEY_PARAMETER_PREFIX, PRICE_LIST_ACTIONS
from infra import settings
from infra.constructs.storage import Storage
from infra.lambda_function import grant_aws_actions, grant_price_list, make_function
from infra.nag import acknowledge
from infra.parameters import grant_parameter, grant_parameters

HANDLER = "functions.pools.handler.handler"


class Pools(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage, api_url: str) -> None:
        super().__init__(scope, id)
        self.keeper = make_function(self, "PoolKeeper", handler=HANDLER, size=settings.FUNCTION_SIZES["PoolKeeper"],
                                    env={"API_URL": api_url})  # written into its instances' user-data
        storage.use(self.keeper, "PoolKeeper")
        grant_aws_actions(self.keeper, EC2_ACTIONS["PoolKeeper"], function="PoolKeeper")
        grant_price_list(self.keeper, PRICE_LIST_ACTIONS["PoolKeeper"])  # a pool's price, once
        # its launches call startup() as Provision's do, which keeps each skyrepl-{region} private key
        grant_parameters(self.keeper, KEY_PARAMETER_PREFIX, "ssm:PutParameter", "ssm:GetParameter",
                         why_every_name="one private key per region in use (skyrepl-{region}), any region")
        # its launches join the tailnet and its retirements leave it, as Provision's and Finalize's do
        grant_parameter(self.keeper, tailscale.API_KEY_PARAMETER, tailscale.TAILNET_PARAMETER,
                        actions=("ssm:GetParameter",))
        schedule = events.Rule(self, "Schedule", targets=[targets.LambdaFunction(self.keeper)],
                               schedule=events.Schedule.rate(Duration.minutes(settings.POOL_KEEP_EVERY_MINUTES)))
        # Its events are {"owner", "name"} (a claim, a create, a resize: keep that pool) or the schedule's
        # tick (keep every pool): a keep lost or failed is redone by the next tick, which looks at every pool.
        reason = ("a keep carries only a pool's name, and each one-minute tick keeps every pool: a failed or "
                  "undelivered keep is redone in full by the next tick; nobody would read the queue")
        acknowledge(self.keeper, "Serverless-LambdaDLQ", reason)
        acknowledge(schedule, "Serverless-EventBusDLQ", reason)

    def invoked_by(self, fn: lambda_.Function) -> None:
        """fn asks for a keep without waiting (functions/aws/lambdas.invoke_async): the keeper's name, and
        lambda:InvokeFunction on exactly it (not grant_invoke's `<arn>:*`: it has no versions or aliases)."""
        fn.add_environment(settings.POOL_KEEPER_FUNCTION_NAME_ENV, self.keeper.function_name)
        fn.add_to_role_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"],
                                                  resources=[self.keeper.function_arn]))
