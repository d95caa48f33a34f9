"""The launch-run state machine as ASL data: the one definition CDK deploys and embedded mode runs.

Lambda ARNs are `${<Task>FunctionArn}` placeholders, filled by CDK's `definition_substitutions`
and by local/deploy.py. Error names are the exception class names in functions/core/errors.py.
"""
import json

from functions.core import choices
from functions.core.errors import CapacityError, TerminationNotConfirmed, ThrottlingError

# task name -> handler module; each task is its own Lambda with its own role.
TASK_HANDLERS = {
    "Provision": "functions.workflow.provision.handler",
    "CheckRegistration": "functions.workflow.check_registration.handler",
    "StartRun": "functions.workflow.start_run.handler",
    "DispatchRun": "functions.workflow.dispatch_run.handler",
    "KeepInstance": "functions.workflow.keep_instance.handler",
    "Finalize": "functions.workflow.finalize.handler",
    "Cleanup": "functions.workflow.cleanup.handler",
}

CAPACITY_RETRY_SECONDS = 30  # the seed: "SkyREPL backs off 30s automatically"
# after the first round (every choice tried once: functions/core/choices.py): 4 rounds over 90 s
CAPACITY_RETRIES = choices.MAX_ROUNDS - 1
_CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Cleanup"}]
_LAMBDA_TRANSIENT = {
    "ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException"],
    "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0,
}
_THROTTLING = {"ErrorEquals": [ThrottlingError.__name__], "IntervalSeconds": 2, "MaxAttempts": 5,
               "BackoffRate": 2.0, "MaxDelaySeconds": 30, "JitterStrategy": "FULL"}
_TERMINATION = {"ErrorEquals": [TerminationNotConfirmed.__name__], "IntervalSeconds": 2, "MaxAttempts": 8,
                "BackoffRate": 1.5}


def placeholder(task: str) -> str:
    return "${" + task + "FunctionArn}"


def _task(task: str, parameters: dict, result_path: str | None, next_state: str | None, retry: list,
          catch: bool = True) -> dict:
    state = {"Type": "Task", "Resource": placeholder(task), "Parameters": parameters,
             "ResultPath": result_path, "Retry": [_LAMBDA_TRANSIENT, *retry]}
    if catch:
        state["Catch"] = _CATCH_ALL
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


def _token_wait(task: str, timeout_path: str, result_path: str, next_state: str, catch: list) -> dict:
    """A wait on a task token, which the task's Lambda stores (someone else sends the outcome)."""
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": placeholder(task),
                           "Payload": {"run_id.$": "$.run_id", "task_token.$": "$$.Task.Token"}},
            "TimeoutSecondsPath": timeout_path, "ResultPath": result_path, "Retry": [_LAMBDA_TRANSIENT],
            "Catch": catch, "Next": next_state}


def definition() -> dict:
    run = {"run_id.$": "$.run_id"}
    return {
        "Comment": "launch-run: provision an instance, run one command on it, always terminate it",
        "StartAt": "Provision",
        "States": {
            "Provision": _task("Provision", run, "$.provision", "Warm", [
                {"ErrorEquals": [CapacityError.__name__], "IntervalSeconds": CAPACITY_RETRY_SECONDS,
                 "MaxAttempts": CAPACITY_RETRIES, "BackoffRate": 1.0},
                _THROTTLING,
            ]),
            # an idle pool instance, its agent already given the command: no boot to wait for
            "Warm": {"Type": "Choice", "Default": "WaitForBoot", "Choices": [
                {"And": [{"Variable": "$.provision.warm", "IsPresent": True},
                         {"Variable": "$.provision.warm", "BooleanEquals": True}], "Next": "CheckRegistration"}]},
            "WaitForBoot": {"Type": "Wait", "SecondsPath": "$.timings.boot_poll_seconds", "Next": "CheckRegistration"},
            "CheckRegistration": _task("CheckRegistration", run, "$.registration", "Registered", [_THROTTLING]),
            "Registered": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.registration.registered", "BooleanEquals": True, "Next": "StartRun"}],
                "Default": "WaitForBoot",
            },
            "StartRun": _task("StartRun", run, "$.start", "AwaitCompletion", []),
            # Max-duration is counted from the run's creation: StartRun computes what is left. A silent
            # agent: its events calls send SendTaskHeartbeat (its seconds below the timeout, StartRun's).
            # The Retry: DispatchRun failing before it ran; a second start_run is ignored by the agent.
            "AwaitCompletion": {**_token_wait("DispatchRun", "$.start.timeout_seconds", "$.agent_report", "KeepAlive",
                                              _CATCH_ALL), "HeartbeatSecondsPath": "$.start.heartbeat_seconds"},
            # `--keep-alive`: the instance stays after its command, for the user (repl ssh), until the
            # time the report gave (its deadline at most) or `repl instance terminate` ends the wait.
            "KeepAlive": {"Type": "Choice", "Default": "Finalize", "Choices": [
                {"Variable": "$.agent_report.keep_seconds", "IsPresent": True, "Next": "Kept"}]},
            # the keep's end is its timeout: the run has ended already, Finalize terminates
            "Kept": _token_wait("KeepInstance", "$.agent_report.keep_seconds", "$.kept", "Finalize", [
                {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.kept", "Next": "Finalize"}, *_CATCH_ALL]),
            "Finalize": _task("Finalize", run, "$.final", None,
                              [_TERMINATION, _THROTTLING]),
            "Cleanup": _task("Cleanup", {"run_id.$": "$.run_id", "error.$": "$.error"}, "$.final", None,
                             [_TERMINATION, _THROTTLING,
                              {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 3,
                               "BackoffRate": 2.0}], catch=False),
        },
    }


def definition_json() -> str:
    return json.dumps(definition(), indent=2, sort_keys=True)


def substitute(text: str, arns: dict) -> str:
    """Fill the placeholders the way CDK's definition_substitutions does (used by local/)."""
    for task, arn in arns.items():
        text = text.replace(placeholder(task), arn)
    return text
