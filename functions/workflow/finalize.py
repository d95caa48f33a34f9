"""Finalize: the agent has reported; terminate and confirm, then write the run's terminal status."""
from functions.core import states
from functions.core.clock import now_ms
from functions.core.errors import RunCancelled
from functions.store import runs
from functions.workflow.teardown import terminate_and_confirm


def handler(event, _context=None) -> dict:
    run = runs.get(event["run_id"])
    if run is None:  # caught: Cleanup terminates by tag
        raise RunCancelled(f"run {event['run_id']} has no record (deleted?)")
    terminate_and_confirm(run)
    status, exit_code, reason = outcome(run, event.get("result") or {})
    runs.finish(run["run_id"], status, exit_code, reason, now_ms())
    return {"status": status}


def outcome(run: dict, report: dict) -> tuple:
    if report.get("cancelled") or run.get("cancel_requested"):
        return states.CANCELLED, None, "cancelled by the user"
    if report.get("interrupted"):  # the agent stopped the command for a spot interruption notice
        return interrupted(run)
    if report.get("timed_out"):
        return states.TIMED_OUT, None, f"max-duration {run['max_duration_ms']} ms reached"
    code = report.get("exit_code")
    if run.get("interruption") and code != 0:  # a notice came, then the command died: the interruption's doing
        return interrupted(run, code)
    if code is None:
        return states.ERROR, None, "the agent reported no exit code"
    return states.status_for_exit(code), code, f"command exited with code {code}"


def interrupted(run: dict, exit_code: int | None = None) -> tuple:
    """`interrupted`, with the notice the agent reported (if it got through) as the reason."""
    notice = run.get("interruption")
    reason = f"spot interruption notice ({notice['action']} at {notice['time']})" if notice else \
        "spot interruption notice"
    if exit_code is not None:
        reason += f"; the command exited with code {exit_code}"
    return states.INTERRUPTED, exit_code, reason
