"""The launch-run execution, and the one way its task token is completed.

AwaitCompletion waits on a token that four places may complete: the agent's exit report (success),
a cancel, a cancel the agent did not carry out in time, the sweeper (failure). Each failure is an
error of functions/core/errors.py, whose class name is the Step Functions error name.
"""
import dataclasses
import json

from botocore.exceptions import ClientError

from functions.aws import clients
from functions.aws.errors import aws_call
from functions.core.errors import WORKFLOW_ERRORS, SkyReplError
from functions.core.records import Run
from functions.settings import settings

# A token whose task has already ended (succeeded, failed, timed out) answers one of these:
# the event they would report has been overtaken, so they are not errors for us.
_STALE_TOKEN = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken", "ExecutionDoesNotExist"}
_CAUSE_CHARS = 32_768  # SendTaskFailure's limit


def execution_input(run: Run) -> dict:
    """What the state machine reads from its input (protocol §4): the run, and the waits it keeps to."""
    return {"run_id": run.run_id, "timings": dataclasses.asdict(run.timings)}


def start(run: Run) -> str:
    """Start the run's execution, named by the run id: a second start is refused by Step Functions,
    so starting again (a replayed request after a crash) is safe and gives the same execution."""
    machine, run_id = settings().state_machine_arn, run.run_id
    with aws_call("states:StartExecution"):
        try:
            return clients.stepfunctions().start_execution(stateMachineArn=machine, name=run_id,
                                                           input=json.dumps(execution_input(run)))["executionArn"]
        except ClientError as err:
            if err.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
    return machine.replace(":stateMachine:", ":execution:") + ":" + run_id


def execution_status(arn: str) -> dict | None:
    """{"status", "error", "cause"} of an execution (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED), or
    None if Step Functions has none of that ARN."""
    with aws_call("states:DescribeExecution"):
        try:
            found = clients.stepfunctions().describe_execution(executionArn=arn)
        except ClientError as err:
            if err.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise
    return {"status": found["status"], "error": found.get("error"), "cause": found.get("cause")}


def succeed(token: str, output: dict) -> bool:
    """False when the task had already ended (its token is stale)."""
    return _stale_ok("states:SendTaskSuccess",
                     lambda: clients.stepfunctions().send_task_success(taskToken=token, output=json.dumps(output)))


def fail(token: str, error: SkyReplError) -> bool:
    """End the waiting task with this error (its class name is what the state machine sees)."""
    if not isinstance(error, WORKFLOW_ERRORS):
        raise TypeError(f"{type(error).__name__} is not a workflow error (functions/core/errors.py)")
    return _stale_ok("states:SendTaskFailure", lambda: clients.stepfunctions().send_task_failure(
        taskToken=token, error=type(error).__name__, cause=error.message[:_CAUSE_CHARS]))


def heartbeat(token: str) -> bool:
    return _stale_ok("states:SendTaskHeartbeat", lambda: clients.stepfunctions().send_task_heartbeat(taskToken=token))


def _stale_ok(action: str, call) -> bool:
    with aws_call(action):
        try:
            call()
            return True
        except ClientError as err:
            if err.response["Error"]["Code"] in _STALE_TOKEN:
                return False
            raise
