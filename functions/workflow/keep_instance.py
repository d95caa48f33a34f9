"""Kept's task: keep the task token while the instance stays for its user after the command (`--keep-alive`).

`repl instance terminate` ends the wait with it (functions/api/instances.py). Whichever of the two writes
(the token here, the release there) comes second sees the other in its answer, so the wait never
outlasts a release that came before the token was stored.
"""
from functions.aws import stepfunctions
from functions.store import runs


def handler(event, _context=None) -> dict:
    run = runs.update(event["run_id"], keep_token=event["task_token"])
    if run.release_requested_ms is not None:
        stepfunctions.succeed(event["task_token"], {"released": True})
    return {}
