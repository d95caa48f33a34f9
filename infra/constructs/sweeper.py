"""Sweeper: the scheduled cleanup that kills anything of ours past its deadline (decision 4b)."""
from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions import tailscale
from functions.aws.permissions import EC2_ACTIONS, RUN_ENV_PARAMETER_PREFIX
from functions.store.schema import INSTANCES, KV, RUNS
from infra import settings
from infra.constructs.storage import Storage
from infra.lambda_function import grant_aws_actions, make_function
from infra.parameters import grant_parameters

SWEEPER_HANDLER = "functions.sweeper.handler.handler"


class Sweeper(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage, state_machine: sfn.StateMachine) -> None:
        super().__init__(scope, id)
        self.fn = make_function(self, "Sweeper", handler=SWEEPER_HANDLER, size=settings.FUNCTION_SIZES["Sweeper"])
        storage.use(self.fn, RUNS, "rw")  # reconciles runs whose workflow ended without ending them
        storage.use(self.fn, INSTANCES, "rw")
        storage.use(self.fn, KV, "rw")  # the regions in use
        grant_aws_actions(self.fn, EC2_ACTIONS["Sweeper"])
        # A run whose instance it terminates stops waiting on that instance's agent; a run whose
        # execution has ended without ending it is ended here (reconcile: DescribeExecution).
        state_machine.grant(self.fn, "states:SendTaskFailure")
        state_machine.grant_execution(self.fn, "states:DescribeExecution")
        # Its teardown is the workflow's (functions/lifecycle/teardown.py): the run's --env values go, and
        # its Tailscale device.
        grant_parameters(self.fn, RUN_ENV_PARAMETER_PREFIX, "ssm:DeleteParameter")
        grant_parameters(self.fn, tailscale.PARAMETER_PREFIX, "ssm:GetParameter")
        events.Rule(self, "Schedule", schedule=events.Schedule.rate(Duration.minutes(settings.SWEEP_EVERY_MINUTES)),
                    targets=[targets.LambdaFunction(self.fn)])
