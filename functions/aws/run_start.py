"""What an agent is handed to start a run (`start_run`, protocol §2): the command, the deadline, and a
presigned GET of the synced working directory. The agent's registration hands it at once; the
workflow's DispatchRun only if the registration did not (functions/store/runs.claim_start)."""
from functions.aws import workdirs
from functions.core.records import Run


def start_run_event(run: Run) -> dict:
    return {"run_id": run.run_id, "command": run.command, "deadline_ms": run.deadline_ms,
            "spot": run.spot,  # a spot run's agent watches IMDS
            "keep_alive": run.keep_alive_ms is not None,  # its SSH keys stay after the command (repl ssh)
            "env": bool(run.env_names),  # then the agent asks GET /v1/agent/env for the values
            "artifacts": list(run.artifacts),  # globs: uploaded by POST /v1/agent/artifacts at the end
            # the synced working directory: fetched with a presigned GET, checked, unpacked, the cwd
            "archive": {"url": workdirs.download_url(run.workdir_key), "sha256": run.workdir_sha256}
            if run.workdir_key else None}
