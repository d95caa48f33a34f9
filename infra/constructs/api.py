"""Api: the HTTP API with the user routes (IAM auth) and the agent routes (instance token), and both Lambdas."""
import dataclasses

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions.aws.permissions import EC2_ACTIONS, KEY_PARAMETER_PREFIX, RUN_ENV_PARAMETER_PREFIX
from functions.settings import DEFAULT_TIMINGS, TIMING_ENV_VARS
from functions.store.schema import INSTANCES, KV, LOGS, RUNS, SNAPSHOTS
from infra import settings
from infra.constructs.storage import Storage
from infra.lambda_function import grant_aws_actions, make_function
from infra.parameters import grant_parameters

API_HANDLER = "functions.api.handler.lambda_handler"
AGENT_API_HANDLER = "functions.agent_api.handler.lambda_handler"


class Api(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage) -> None:
        super().__init__(scope, id)
        # The API starts each execution with a new run's timings in its input (protocol §4).
        timings = {TIMING_ENV_VARS[name]: str(value) for name, value in dataclasses.asdict(DEFAULT_TIMINGS).items()}
        self.user_fn = make_function(self, "Api", handler=API_HANDLER, size=settings.FUNCTION_SIZES["Api"],
                                     env={**timings, **settings.limits_env(self)})
        storage.use(self.user_fn, RUNS, "rw")
        storage.use(self.user_fn, INSTANCES, "rw")
        storage.use(self.user_fn, LOGS, "read")
        storage.use(self.user_fn, KV, "rw")  # `repl cache clear` deletes the AMI cache's entries
        # GET /v1/keys/{region} reads the skyrepl-{region} private keys startup() keeps under this prefix.
        key_parameters = Stack.of(self).format_arn(service="ssm", resource="parameter",
                                                   resource_name=KEY_PARAMETER_PREFIX.strip("/") + "/*")
        self.user_fn.add_to_role_policy(iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[key_parameters]))
        storage.use(self.user_fn, SNAPSHOTS, "rw")  # /v1/snapshots: the records...
        grant_aws_actions(self.user_fn, EC2_ACTIONS["Api"])  # ...and the CreateImage/DeregisterImage/DeleteSnapshot

        self.agent_fn = make_function(self, "AgentApi", handler=AGENT_API_HANDLER,
                                      size=settings.FUNCTION_SIZES["AgentApi"],
                                      env={"LOG_RETENTION_DAYS": str(settings.LOGS_TABLE_TTL_DAYS)})
        storage.use(self.agent_fn, RUNS, "rw")
        storage.use(self.agent_fn, INSTANCES, "rw")
        storage.use(self.agent_fn, LOGS, "rw")
        storage.use(self.agent_fn, KV, "read")
        # A run's --env values: the API writes them at creation, the agent's route reads them at start.
        grant_parameters(self.user_fn, RUN_ENV_PARAMETER_PREFIX, "ssm:PutParameter")
        grant_parameters(self.agent_fn, RUN_ENV_PARAMETER_PREFIX, "ssm:GetParameter")

        # An HTTP API, not REST: per request $1.00 per million against $3.50, what keeps a followed run under
        # $0.005 an hour (bench/results/cost.json, docs/decisions.md 30). IAM auth and Lambda proxying as before.
        self.http_api = apigw.HttpApi(self, "HttpApi", description="SkyREPL control plane",
                                      create_default_stage=False)
        apigw.HttpStage(self, "DefaultStage", http_api=self.http_api, stage_name="$default", auto_deploy=True,
                        throttle=apigw.ThrottleSettings(rate_limit=settings.API_THROTTLE_RATE,
                                                        burst_limit=settings.API_THROTTLE_BURST))
        # User routes: SigV4-signed by the CLI with the caller's own AWS credentials.
        self.http_api.add_routes(path=f"/{settings.API_ROOT}/{{proxy+}}", methods=[apigw.HttpMethod.ANY],
                                 integration=integrations.HttpLambdaIntegration("User", self.user_fn),
                                 authorizer=authorizers.HttpIamAuthorizer())
        # Agent routes: no gateway auth. The AgentApi Lambda checks the per-instance bearer token itself
        # (only its SHA-256 is stored) and lets it reach that instance's own run and nothing else. The more
        # specific route wins over the user routes' /v1/{proxy+}.
        self.http_api.add_routes(path=f"/{settings.API_ROOT}/{settings.API_AGENT_PATH}/{{proxy+}}",
                                 methods=[apigw.HttpMethod.ANY],
                                 integration=integrations.HttpLambdaIntegration("Agent", self.agent_fn))

        # The API's own endpoint attribute (no dependency on its routes, hence on the functions): what
        # Provision writes into the user-data, and what `repl setup --stack` reads.
        self.base_url = self.http_api.api_endpoint
        output = CfnOutput(self, "ApiUrl", value=self.base_url, description="Base URL of the API; routes are under /v1")
        output.override_logical_id("ApiUrl")

    def use_sweeper(self, sweeper_fn) -> None:
        """`repl orphan scan` runs the sweeper now, synchronously."""
        self.user_fn.add_environment("SWEEPER_FUNCTION_NAME", sweeper_fn.function_name)
        sweeper_fn.grant_invoke(self.user_fn)

    def use_workflow(self, state_machine: sfn.StateMachine) -> None:
        """Both API Lambdas talk to the launch-run state machine; each gets only the calls it makes."""
        self.user_fn.add_environment("STATE_MACHINE_ARN", state_machine.state_machine_arn)
        state_machine.grant_start_execution(self.user_fn)  # POST /v1/runs
        state_machine.grant(self.user_fn, "states:SendTaskFailure")  # cancel fails the waiting task
        # cancel looks whether the run's workflow still runs (if not, the sweeper ends the run now)
        state_machine.grant_execution(self.user_fn, "states:DescribeExecution")
        self.agent_fn.add_environment("STATE_MACHINE_ARN", state_machine.state_machine_arn)
        # the agent's exited status ends the run; its events calls are the heartbeat, and force a cancel
        # the agent has not carried out within the grace
        state_machine.grant(self.agent_fn, "states:SendTaskSuccess", "states:SendTaskHeartbeat",
                            "states:SendTaskFailure")
