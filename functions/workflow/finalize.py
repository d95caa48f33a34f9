"""Finalize: the agent has reported; terminate and confirm, then write the run's terminal status."""
from functions.core import states
from functions.core.clock import now_ms
from functions.store import runs
from functions.workflow.teardown import terminate_and_confirm


def handler(event, _context=None) -> dict:
    run = runs.get(event["run_id"])
    terminate_and_confirm(run)
    status, exit_code, reason = outcome(run, event.get("result") or {})
    runs.finish(run["run_id"], status, exit_code, reason, now_ms())
    return {"status": status}


def outcome(run: dict, report: dict) -> tuple:
    if report.get("cancelled") or run.get("cancel_requested"):
        return states.CANCELLED, None, "cancelled by the user"
    if report.get("timed_out"):
        return states.TIMED_OUT, None, f"max-duration {run['max_duration_ms']} ms reached"
    code = report.get("exit_code")
    if code is None:
        return states.ERROR, None, "the agent reported no exit code"
    return states.status_for_exit(code), code, f"command exited with code {code}"
