"""AwaitCompletion's task: keep the task token; hand the command to the agent if its registration has not.

The agent usually has its command already (its registration claimed it), and may even have finished:
its exit report, written before the token was here, is then sent on at once. Whichever of the two
writes (the token here, the report there) comes second sees the other in its answer, so exactly one
of them completes the task.
"""
from functions.aws import stepfunctions
from functions.aws.run_start import start_run_event
from functions.core import outcomes
from functions.core.clock import now_ms
from functions.core.errors import RunCancelled
from functions.store import instances, runs


def handler(event, _context=None) -> dict:
    token = event["task_token"]
    run = runs.update(event["run_id"], task_token=token)
    if run.agent_report:  # the command ended before the workflow got here
        stepfunctions.succeed(token, outcomes.workflow_report(run, now_ms()))
    elif run.cancel_requested:  # cancelled before the command was handed over
        stepfunctions.fail(token, RunCancelled("cancelled by the user"))
    elif runs.claim_start(run.run_id, now_ms()):
        instances.push_event(run.instance_key, "start_run", start_run_event(run))
    return {}
