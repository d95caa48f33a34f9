"""StartRun: how long AwaitCompletion may wait: what is left of max-duration, counted from creation."""
import math

from functions.core.clock import now_ms
# The agent stops the command itself at the deadline, then flushes its logs and reports;
# the state machine's own timeout comes this much later, as the backstop.
from functions.core.states import AGENT_REPORT_GRACE_SECONDS
from functions.workflow.guards import load_active


def handler(event, _context=None) -> dict:
    """AwaitCompletion's timeout (what is left of max-duration, plus the agent's time to report) and its
    heartbeat (the run's agent-silent limit), which Step Functions requires to be below the timeout."""
    run = load_active(event["run_id"])
    timeout_s = math.ceil((run.deadline_ms - now_ms()) / 1000) + AGENT_REPORT_GRACE_SECONDS
    return {"timeout_seconds": timeout_s,
            "heartbeat_seconds": max(1, min(run.timings.agent_silent_seconds, timeout_s - 1))}
