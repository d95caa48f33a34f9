"""Workflow: one Lambda per task and the launch-run state machine, from the one ASL definition (decision 1)."""
from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions.aws.permissions import EC2_ACTIONS, KEY_PARAMETER_PREFIX, RUN_ENV_PARAMETER_PREFIX
from functions import tailscale
from functions.store.schema import INSTANCES, KV, RUNS
from functions.workflow.definition import TASK_HANDLERS, definition_json
from infra import settings
from infra.constructs.storage import Storage
from infra.lambda_function import grant_aws_actions, make_function
from infra.parameters import grant_parameters


class Workflow(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage, api_url: str) -> None:
        super().__init__(scope, id)
        self.functions = {task: make_function(self, task, handler=handler, size=settings.FUNCTION_SIZES[task])
                          for task, handler in TASK_HANDLERS.items()}
        for task, fn in self.functions.items():
            storage.use(fn, RUNS, "rw")
            storage.use(fn, INSTANCES, "rw")
            grant_aws_actions(fn, EC2_ACTIONS[task])

        provision = self.functions["Provision"]
        storage.use(provision, KV, "rw")  # AMI cache, per-region startup results, regions in use
        for task in ("Finalize", "Cleanup"):  # teardown deletes the run's --env values
            grant_parameters(self.functions[task], RUN_ENV_PARAMETER_PREFIX, "ssm:DeleteParameter")
        # With the run's record gone, Cleanup looks for its instances in every region in use.
        storage.use(self.functions["Cleanup"], KV, "read")
        provision.add_environment("API_URL", api_url)  # written into the user-data: where agents call back
        # startup() keeps each skyrepl-{region} private key as a SecureString under this prefix.
        key_parameters = Stack.of(self).format_arn(service="ssm", resource="parameter",
                                                   resource_name=KEY_PARAMETER_PREFIX.strip("/") + "/*")
        provision.add_to_role_policy(iam.PolicyStatement(actions=["ssm:PutParameter", "ssm:GetParameter"],
                                                         resources=[key_parameters]))
        # The operator's Tailscale API key and tailnet (README, "On AWS"): Provision mints an auth key for
        # each instance, Finalize and Cleanup remove its device. aws/ssm lets account principals decrypt.
        tailscale_parameters = Stack.of(self).format_arn(
            service="ssm", resource="parameter", resource_name=tailscale.PARAMETER_PREFIX.strip("/") + "/*")
        for task in tailscale.TASKS:
            self.functions[task].add_to_role_policy(iam.PolicyStatement(actions=["ssm:GetParameter"],
                                                                        resources=[tailscale_parameters]))

        log_group = logs.LogGroup(
            self, "StateMachineLogs",
            log_group_name=f"{settings.STATE_MACHINE_LOG_PREFIX}{Stack.of(self).stack_name}-launch-run",
            retention=settings.LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
        self.state_machine = sfn.StateMachine(
            self, "LaunchRun",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(definition_json()),
            definition_substitutions={f"{task}FunctionArn": fn.function_arn for task, fn in self.functions.items()},
            # execution data stays out of the logs: it carries task tokens and users' commands
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        for fn in self.functions.values():
            fn.grant_invoke(self.state_machine)
