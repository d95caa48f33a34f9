"""Workflow: one Lambda per task and the launch-run state machine, from the one ASL definition (decision 1)."""
from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions import tailscale
from functions.aws.permissions import EC2_ACTIONS, KEY_PARAMETER_PREFIX, PRICE_LIST_ACTIONS, RUN_ENV_PARAMETER_PREFIX
from functions.workflow.definition import TASK_HANDLERS, definition_json
from infra import settings
from infra.constructs.storage import Storage
from infra.lambda_function import grant_aws_actions, grant_price_list, make_function
from infra.nag import acknowledge, acknowledge_wildcard, default_policy

TASK_RESPONSES = {"DispatchRun": ("states:SendTaskSuccess", "states:SendTaskFailure"),
                  "KeepInstance": ("states:SendTaskSuccess",)}
from infra.parameters import grant_parameter, grant_parameters


class Workflow(Construct):
    def __init__(self, scope: Construct, id: str, *, storage: Storage, api_url: str) -> None:
        super().__init__(scope, id)
        self.functions = {task: make_function(self, task, handler=handler, size=settings.FUNCTION_SIZES[task])
                          for task, handler in TASK_HANDLERS.items()}
        for task, fn in self.functions.items():
            storage.use(fn, task)
            grant_aws_actions(fn, EC2_ACTIONS[task], function=task)  # Provision: a claim's tags too
            acknowledge(fn, "Serverless-LambdaDLQ", "a Step Functions task, invoked synchronously: the state "
                        "machine's Retry and Catch (into Cleanup) handle its failures, no event is left over")

        for task, actions in PRICE_LIST_ACTIONS.items():  # the price a run pays (functions/aws/prices.py)
            if task in self.functions:
                grant_price_list(self.functions[task], actions)

        provision = self.functions["Provision"]
        for task in ("Finalize", "Cleanup"):  # teardown deletes the run's --env values
            grant_parameters(self.functions[task], RUN_ENV_PARAMETER_PREFIX, "ssm:DeleteParameter",
                             why_every_name="one SecureString per run, named by its run id")
        provision.add_environment("API_URL", api_url)  # written into the user-data: where agents call back
        # startup() keeps each skyrepl-{region} private key as a SecureString under this prefix.
        grant_parameters(provision, KEY_PARAMETER_PREFIX, "ssm:PutParameter", "ssm:GetParameter",
                         why_every_name="one private key per region in use (skyrepl-{region}), any region")
        # The operator's Tailscale API key and tailnet (README, "On AWS"): Provision mints an auth key for
        # each instance, Finalize and Cleanup remove its device. aws/ssm lets account principals decrypt.
        for task in tailscale.TASKS:
            grant_parameter(self.functions[task], tailscale.API_KEY_PARAMETER, tailscale.TAILNET_PARAMETER,
                            actions=("ssm:GetParameter",))

        # The tasks that end their own wait: DispatchRun (a report that came before its token, a cancel
        # before the command was handed over), KeepInstance (a release before its token). The machine's ARN
        # from its name, not a reference: the machine names the functions, which wait on their policies.
        machine_name = f"{Stack.of(self).stack_name}-launch-run"
        machine_arn = Stack.of(self).format_arn(service="states", resource="stateMachine",
                                                arn_format=ArnFormat.COLON_RESOURCE_NAME, resource_name=machine_name)
        for task, actions in TASK_RESPONSES.items():
            self.functions[task].add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[machine_arn]))

        log_group = logs.LogGroup(
            self, "StateMachineLogs",
            log_group_name=f"{settings.STATE_MACHINE_LOG_PREFIX}{Stack.of(self).stack_name}-launch-run",
            retention=settings.LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
        self.state_machine = sfn.StateMachine(
            self, "LaunchRun",
            state_machine_name=machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(definition_json()),
            definition_substitutions={f"{task}FunctionArn": fn.function_arn for task, fn in self.functions.items()},
            # execution data stays out of the logs: it carries task tokens and users' commands
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        # Exactly the functions the definition names, unqualified as it names them (grant_invoke would
        # add every version and alias, `<arn>:*`: there are none).
        self.state_machine.add_to_role_policy(iam.PolicyStatement(
            actions=["lambda:InvokeFunction"], resources=[fn.function_arn for fn in self.functions.values()]))
        acknowledge(self.state_machine.role.node.find_child("DefaultPolicy"), "AwsSolutions-IAM5[Resource::*]",
                    "X-Ray's trace actions and CloudWatch Logs' log-delivery actions (what Step Functions needs to "
                    "write to its log group) accept no resource ARN")

def describe_executions(state_machine: sfn.StateMachine, fn) -> None:
    """states:DescribeExecution on the executions of this state machine, and of no other."""
    executions = Stack.of(fn).format_arn(service="states", resource="execution",
                                         arn_format=ArnFormat.COLON_RESOURCE_NAME,
                                         resource_name=f"{state_machine.state_machine_name}:*")
    fn.add_to_role_policy(iam.PolicyStatement(actions=["states:DescribeExecution"], resources=[executions]))
    acknowledge_wildcard(default_policy(fn), executions, "this state machine's executions, each named by its "
                         "run id when the run starts")
