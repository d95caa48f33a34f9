"""Finalize: the agent has reported; terminate and confirm, then write the run's terminal status."""
from functions.aws import run_end
from functions.core.clock import now_ms
from functions.core.errors import RunCancelled
from functions.store import runs
from functions.core import outcomes
from functions.lifecycle.teardown import terminate_and_confirm


def handler(event, _context=None) -> dict:
    run = runs.get(event["run_id"])
    if run is None:  # caught: Cleanup terminates by tag
        raise RunCancelled(f"run {event['run_id']} has no record (deleted?)")
    terminate_and_confirm(run)
    status, exit_code, reason = outcomes.from_report(run, run.agent_report)
    run_end.finish(run.run_id, status, exit_code, reason, now_ms())
    return {"status": status}
