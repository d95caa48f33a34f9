"""Sweeper: the scheduled cleanup that kills anything of ours past its deadline (decision 4b)."""
from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions import tailscale
from functions.aws.permissions import EC2_ACTIONS, RUN_ENV_PARAMETER_PREFIX
from infra import settings
from infra.constructs.storage import Storage
from infra.constructs.workflow import describe_executions
from infra.lambda_function import grant_aws_actions, make_function
from infra.nag import acknowledge
from infra.parameters import grant_parameter, grant_parameters

SWEEPER_HANDLER = "functions.sweeper.handler.handler"


class Sweeper(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage, state_machine: sfn.StateMachine) -> None:
        super().__init__(scope, id)
        self.fn = make_function(self, "Sweeper", handler=SWEEPER_HANDLER, size=settings.FUNCTION_SIZES["Sweeper"])
        storage.use(self.fn, "Sweeper")  # reconciles runs whose workflow ended without ending them
        grant_aws_actions(self.fn, EC2_ACTIONS["Sweeper"], function="Sweeper")
        # A run whose instance it terminates stops waiting on that instance's agent; a run whose
        # execution has ended without ending it is ended here (reconcile: DescribeExecution).
        state_machine.grant(self.fn, "states:SendTaskFailure", "states:SendTaskSuccess")  # ...or a kept one's
        describe_executions(state_machine, self.fn)
        # Its teardown is the workflow's (functions/lifecycle/teardown.py): the run's --env values go, and
        # its Tailscale device.
        grant_parameters(self.fn, RUN_ENV_PARAMETER_PREFIX, "ssm:DeleteParameter",
                         why_every_name="one SecureString per run, named by its run id")
        grant_parameter(self.fn, tailscale.API_KEY_PARAMETER, tailscale.TAILNET_PARAMETER,
                        actions=("ssm:GetParameter",))
        schedule = events.Rule(self, "Schedule", targets=[targets.LambdaFunction(self.fn)],
                               schedule=events.Schedule.rate(Duration.minutes(settings.SWEEP_EVERY_MINUTES)))
        # No dead-letter queue: a tick carries no data, and a sweep that failed or never started is the
        # next one's work five minutes later (each sweep looks at everything); nobody would read the queue.
        reason = "a scheduled tick carries no data: a failed or undelivered sweep is redone in full by the next one"
        acknowledge(self.fn, "Serverless-LambdaDLQ", reason)
        acknowledge(schedule, "Serverless-EventBusDLQ", reason)
