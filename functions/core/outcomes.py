"""A run's terminal status, exit code and reason: from the agent's report (the agent API at once, and
Finalize again) or from the error that ended the workflow (Cleanup). Pure, so every layer may use it."""
import dataclasses
import json
import math

from functions.core import costs, states
from functions.core.clock import iso, now_ms
from functions.core.errors import DeadlineReached, RunCancelled
from functions.core.records import AgentReport, Run

_TIMEOUTS = ("States.Timeout", "States.HeartbeatTimeout")
_CLOCK_SLACK_MS = 2_000
MIN_KEEP_MS = 1_000  # less than this left before the deadline: not kept at all
Outcome = tuple  # (status, exit code or None, reason)


def from_report(run: Run, report: AgentReport | None) -> Outcome:
    if run.cancel_requested or (report and report.cancelled):
        return states.CANCELLED, None, "cancelled by the user"
    if report is None:
        return states.ERROR, None, "the agent reported no exit"
    if report.restarted:
        return states.ERROR, None, "the agent restarted while the command ran: the command was lost"
    if report.interrupted:  # the agent stopped the command for a spot interruption notice
        return interrupted(run)
    if report.timed_out:
        return timed_out(run)
    code = report.exit_code
    if run.interruption and code != 0:  # a notice came, then the command died: the interruption's doing
        return interrupted(run, code)
    if code is None:
        return states.ERROR, None, "the agent reported no exit code"
    return states.status_for_exit(code), code, f"command exited with code {code}"


def from_error(run: Run, error: dict) -> Outcome:
    """The Catch's {"Error", "Cause"}: Step Functions' own names, or one of functions/core/errors.py."""
    name, message = error.get("Error", "Unknown"), _message(error.get("Cause"))
    if run.cancel_requested or name == RunCancelled.__name__:
        return states.CANCELLED, None, message or "cancelled by the user"  # moto drops SendTaskFailure's cause
    if run.agent_report:  # the command ended; a later step failed
        return from_report(run, run.agent_report)
    if run.interruption:  # a spot notice, then silence (the instance was reclaimed) or any failure
        return interrupted(run)
    past_deadline = run.deadline_ms is not None and now_ms() >= run.deadline_ms - _CLOCK_SLACK_MS
    if name == DeadlineReached.__name__ or (name in _TIMEOUTS and past_deadline):
        return timed_out(run)
    if name in _TIMEOUTS:
        silent = run.timings.agent_silent_seconds
        return states.ERROR, None, f"the agent went silent (no contact for {silent} s); instance terminated"
    return states.ERROR, None, f"{name}: {message}" if message else name


def timed_out(run: Run) -> Outcome:
    if costs.limited_by_cost(run):  # the deadline was the max cost's (functions/workflow/provision.py)
        return states.TIMED_OUT, None, f"max cost (USD {run.max_cost_usd:g} at ${run.price_usd_per_hour:g}/h) reached"
    return states.TIMED_OUT, None, f"max-duration {run.max_duration_ms} ms reached"


def interrupted(run: Run, exit_code: int | None = None) -> Outcome:
    """`interrupted`, with the notice the agent reported (if it got through) as the reason."""
    notice = run.interruption
    reason = f"spot interruption notice ({notice.action} at {iso(notice.at_ms)})" if notice else \
        "spot interruption notice"
    if exit_code is not None:
        reason += f"; the command exited with code {exit_code}"
    return states.INTERRUPTED, exit_code, reason


def kept_until(run: Run, report: AgentReport, now: int) -> int | None:
    """Until when the instance stays after its command (`--keep-alive`), or None: never past the run's
    deadline, and not after a cancel, an interruption or a timeout (no instance worth keeping, or no time)."""
    if not run.keep_alive_ms or from_report(run, report)[0] not in (states.SUCCEEDED, states.FAILED):
        return None
    until = min(now + run.keep_alive_ms, run.deadline_ms) if run.deadline_ms else now + run.keep_alive_ms
    return until if until - now >= MIN_KEEP_MS else None


def workflow_report(run: Run, now: int) -> dict:
    """AwaitCompletion's result: the agent's report, and `keep_seconds` when the instance stays (the Kept
    state's timeout: Step Functions cannot count to a time, only for seconds)."""
    output = dataclasses.asdict(run.agent_report)
    if run.kept_until_ms and run.kept_until_ms - now >= MIN_KEEP_MS:
        output["keep_seconds"] = math.ceil((run.kept_until_ms - now) / 1000)
    return output


def _message(cause) -> str:
    """Lambda errors carry a JSON cause with errorMessage; Step Functions' own errors carry text."""
    if not cause:
        return ""
    try:
        parsed = json.loads(cause)
    except ValueError:
        return str(cause)
    return parsed.get("errorMessage", str(cause)) if isinstance(parsed, dict) else str(cause)
