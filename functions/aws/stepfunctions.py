"""The launch-run execution and its task token, seen from the API and the agent routes."""
import json
from functools import lru_cache

import boto3
from botocore.exceptions import ClientError

from functions.settings import settings

# A token whose task has already ended (succeeded, failed, timed out) answers one of these:
# the event they would report has been overtaken, so they are not errors for us.
_STALE_TOKEN = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken", "ExecutionDoesNotExist"}


@lru_cache(maxsize=1)
def _client():
    # a session of its own: creating clients from boto3's default session is not thread-safe
    return boto3.session.Session().client("stepfunctions", region_name=settings().default_region)


def start(run_id: str, payload: dict) -> str:
    """Start the run's execution, named by the run id: a second start is refused by Step Functions,
    so starting again (a replayed request after a crash) is safe and gives the same execution."""
    machine = settings().state_machine_arn
    try:
        return _client().start_execution(stateMachineArn=machine, name=run_id, input=json.dumps(payload))["executionArn"]
    except ClientError as err:
        if err.response["Error"]["Code"] != "ExecutionAlreadyExists":
            raise
    return machine.replace(":stateMachine:", ":execution:") + ":" + run_id


def succeed(token: str, output: dict) -> bool:
    return _stale_ok(lambda: _client().send_task_success(taskToken=token, output=json.dumps(output)))


def fail(token: str, error: str, cause: str) -> bool:
    return _stale_ok(lambda: _client().send_task_failure(taskToken=token, error=error, cause=cause))


def heartbeat(token: str) -> bool:
    return _stale_ok(lambda: _client().send_task_heartbeat(taskToken=token))


def _stale_ok(call) -> bool:
    try:
        call()
        return True
    except ClientError as err:
        if err.response["Error"]["Code"] in _STALE_TOKEN:
            return False
        raise


def reset() -> None:
    _client.cache_clear()
