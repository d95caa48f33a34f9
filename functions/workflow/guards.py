"""Checks every workflow task makes before doing work for a run."""
from functions.core.clock import now_ms
from functions.core.errors import DeadlineReached, RunCancelled
from functions.core.records import Run
from functions.store import runs


def load_active(run_id: str) -> Run:
    run = runs.get(run_id)
    if run is None:
        raise RunCancelled(f"run {run_id} has no record (deleted?)")
    if run.cancel_requested:
        raise RunCancelled("cancelled by the user")
    if run.deadline_ms is not None and now_ms() >= run.deadline_ms:
        raise DeadlineReached(f"max-duration {run.max_duration_ms} ms reached")
    return run
