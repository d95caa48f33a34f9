"""Run artifacts, the user's side: what a run of theirs has uploaded, each with a GET URL."""
from functions.aws import artifacts
from functions.store import runs


def of_run(owner: str, run_id: str) -> dict:
    runs.get_owned(run_id, owner)  # another owner's run, and so its artifacts, do not exist for this caller
    return {"run_id": run_id, "artifacts": artifacts.of_run(run_id)}
