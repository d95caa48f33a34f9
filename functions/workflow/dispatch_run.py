"""AwaitCompletion's task: keep the task token, then hand the command to the agent.

The token is stored before start_run is queued, so the agent's `exited` always finds it.
"""
from functions.aws import stepfunctions, workdirs
from functions.core.errors import RunCancelled
from functions.core.records import Run
from functions.store import instances, runs


def handler(event, _context=None) -> dict:
    token = event["task_token"]
    run = runs.update(event["run_id"], task_token=token)
    if run.cancel_requested:  # cancelled after StartRun, before the token was stored
        stepfunctions.fail(token, RunCancelled("cancelled by the user"))
        return {}
    instances.push_event(run.instance_key, "start_run", start_run(run))
    return {}


def start_run(run: Run) -> dict:
    return {"run_id": run.run_id, "command": run.command, "deadline_ms": run.deadline_ms,
            "spot": run.spot,  # a spot run's agent watches IMDS
            "env": bool(run.env_names),  # then the agent asks GET /v1/agent/env for the values
            "artifacts": list(run.artifacts),  # globs: uploaded by POST /v1/agent/artifacts at the end
            # the synced working directory: fetched with a presigned GET, checked, unpacked, the cwd
            "archive": {"url": workdirs.download_url(run.workdir_key), "sha256": run.workdir_sha256}
            if run.workdir_key else None}
