"""Cleanup: every caught failure ends here: terminate and confirm, then a terminal status with a reason."""
import json

from functions.core import states
from functions.core.clock import now_ms
from functions.store import runs
from functions.workflow.finalize import interrupted, outcome
from functions.workflow.teardown import terminate_and_confirm, terminate_by_tag

_TIMEOUTS = ("States.Timeout", "States.HeartbeatTimeout")
_CLOCK_SLACK_MS = 2_000


def handler(event, _context=None) -> dict:
    run = runs.get(event["run_id"])
    if run is None:  # the record is gone: still make sure nothing of this run is left running
        return {"status": "unknown", "terminated": terminate_by_tag(event["run_id"])}
    terminate_and_confirm(run)
    status, exit_code, reason = classify(run, event.get("error") or {})
    runs.finish(run["run_id"], status, exit_code, reason, now_ms())
    return {"status": status}


def classify(run: dict, error: dict) -> tuple:
    name, message = error.get("Error", "Unknown"), _message(error.get("Cause"))
    if run.get("cancel_requested") or name == "RunCancelled":
        return states.CANCELLED, None, message or "cancelled by the user"  # moto drops SendTaskFailure's cause
    if run.get("agent_report"):  # the command ended; a later step failed
        return outcome(run, run["agent_report"])
    if run.get("interruption"):  # a spot notice, then silence (the instance was reclaimed) or any failure
        return interrupted(run)
    if name == "DeadlineReached" or (name in _TIMEOUTS and now_ms() >= run["deadline_ms"] - _CLOCK_SLACK_MS):
        return states.TIMED_OUT, None, f"max-duration {run['max_duration_ms']} ms reached"
    if name in _TIMEOUTS:
        silent = run.get("config", {}).get("agent_lost_seconds")
        return states.ERROR, None, f"the agent went silent (no contact for {silent} s); instance terminated"
    return states.ERROR, None, f"{name}: {message}" if message else name


def _message(cause) -> str:
    """Lambda errors carry a JSON cause with errorMessage; Step Functions' own errors carry text."""
    if not cause:
        return ""
    try:
        parsed = json.loads(cause)
    except ValueError:
        return str(cause)
    return parsed.get("errorMessage", str(cause)) if isinstance(parsed, dict) else str(cause)
