"""StartRun: how long AwaitCompletion may wait: what is left of max-duration, counted from creation."""
import math

from functions.core.clock import now_ms
# The agent stops the command itself at the deadline, then flushes its logs and reports;
# the state machine's own timeout comes this much later, as the backstop.
from functions.core.states import AGENT_REPORT_GRACE_SECONDS
from functions.workflow.guards import load_active


def handler(event, _context=None) -> dict:
    run = load_active(event["run_id"])
    left_s = math.ceil((run.deadline_ms - now_ms()) / 1000)
    return {"timeout_seconds": left_s + AGENT_REPORT_GRACE_SECONDS}
