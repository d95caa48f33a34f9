"""Api: both Lambdas, what each may reach, and the HTTP API in front of them (infra/gateway.py)."""
import dataclasses

from aws_cdk import CfnOutput
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions import tailscale
from functions.aws.permissions import (EC2_ACTIONS, KEY_PARAMETER_PREFIX, RUN_ENV_PARAMETER_PREFIX,
                                      SESSION_KEY_PARAMETER)
from functions.settings import DEFAULT_TIMINGS, TIMING_ENV_VARS
from infra import settings
from infra.constructs.storage import Storage
from infra.constructs.workflow import describe_executions
from infra.gateway import http_api
from infra.lambda_function import grant_aws_actions, make_function
from infra.nag import acknowledge
from infra.parameters import grant_parameter, grant_parameters

API_HANDLER = "functions.api.handler.lambda_handler"
AGENT_API_HANDLER = "functions.agent_api.handler.lambda_handler"
SYNCHRONOUS = ("invoked synchronously by API Gateway: a failure is the caller's answer (a 5xx it retries), "
               "there is no event left to keep in a dead-letter queue")


class Api(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage) -> None:
        super().__init__(scope, id)
        # The API starts each execution with a new run's timings in its input (protocol §4).
        timings = {TIMING_ENV_VARS[name]: str(value) for name, value in dataclasses.asdict(DEFAULT_TIMINGS).items()}
        self.user_fn = make_function(self, "Api", handler=API_HANDLER, size=settings.FUNCTION_SIZES["Api"],
                                     env={**timings, **settings.limits_env(self), **settings.budget_env(self)})
        storage.use(self.user_fn, "Api")
        # GET /v1/admin/keys/{region} reads the skyrepl-{region} private keys startup() keeps under this prefix.
        grant_parameters(self.user_fn, KEY_PARAMETER_PREFIX, "ssm:GetParameter",
                         why_every_name="one private key per region in use (skyrepl-{region}), any region")
        # PUT|GET|DELETE /v1/admin/tailscale (`repl setup`): the key and tailnet Provision mints auth keys with.
        grant_parameter(self.user_fn, tailscale.API_KEY_PARAMETER, tailscale.TAILNET_PARAMETER,
                        actions=tailscale.WRITER_ACTIONS)
        grant_aws_actions(self.user_fn, EC2_ACTIONS["Api"])  # /v1/snapshots: CreateImage, DeregisterImage...

        self.agent_fn = make_function(self, "AgentApi", handler=AGENT_API_HANDLER,
                                      size=settings.FUNCTION_SIZES["AgentApi"],
                                      env={"LOG_RETENTION_DAYS": str(settings.LOGS_TABLE_TTL_DAYS)})
        storage.use(self.agent_fn, "AgentApi")
        # A run's --env values: the API writes them at creation, the agent's route reads them at start.
        why_runs = "one SecureString per run, named by its run id"
        grant_parameters(self.user_fn, RUN_ENV_PARAMETER_PREFIX, "ssm:PutParameter", why_every_name=why_runs)
        grant_parameters(self.agent_fn, RUN_ENV_PARAMETER_PREFIX, "ssm:GetParameter", why_every_name=why_runs)
        # The key that signs agents' session credentials: made by the first AgentApi to need it, then read.
        grant_parameter(self.agent_fn, SESSION_KEY_PARAMETER, actions=("ssm:GetParameter", "ssm:PutParameter"))
        for fn in (self.user_fn, self.agent_fn):
            acknowledge(fn, "Serverless-LambdaDLQ", SYNCHRONOUS)

        # An HTTP API, not REST: per request $1.00 per million against $3.50, what keeps a followed run under
        # $0.005 an hour (bench/results/cost.json, docs/decisions.md 30). IAM auth and Lambda proxying as before.
        self.http_api = http_api(self, self.user_fn, self.agent_fn)
        # The API's own endpoint attribute (no dependency on its routes, hence on the functions): what
        # Provision writes into the user-data, and what `repl setup --stack` reads.
        self.base_url = self.http_api.api_endpoint
        output = CfnOutput(self, "ApiUrl", value=self.base_url, description="Base URL of the API; routes are under /v1")
        output.override_logical_id("ApiUrl")

    def use_sweeper(self, sweeper_fn) -> None:
        """`repl orphan scan` runs the sweeper now, synchronously."""
        self.user_fn.add_environment("SWEEPER_FUNCTION_NAME", sweeper_fn.function_name)
        # the function itself, by name: not grant_invoke's versions and aliases (`<arn>:*`), it has none
        self.user_fn.add_to_role_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"],
                                                            resources=[sweeper_fn.function_arn]))

    def use_workflow(self, state_machine: sfn.StateMachine) -> None:
        """Both API Lambdas talk to the launch-run state machine; each gets only the calls it makes."""
        self.user_fn.add_environment("STATE_MACHINE_ARN", state_machine.state_machine_arn)
        state_machine.grant_start_execution(self.user_fn)  # POST /v1/runs
        # cancel fails the waiting task; `repl instance terminate` ends a kept instance's wait
        state_machine.grant(self.user_fn, "states:SendTaskFailure", "states:SendTaskSuccess")
        # cancel looks whether the run's workflow still runs (if not, the sweeper ends the run now)
        describe_executions(state_machine, self.user_fn)
        self.agent_fn.add_environment("STATE_MACHINE_ARN", state_machine.state_machine_arn)
        # the agent's exited status ends the run; its events calls are the heartbeat, and force a cancel
        # the agent has not carried out within the grace
        state_machine.grant(self.agent_fn, "states:SendTaskSuccess", "states:SendTaskHeartbeat",
                            "states:SendTaskFailure")

