"""Cleanup: every caught failure ends here: terminate and confirm, then a terminal status with a reason."""
from functions.core.clock import now_ms
from functions.store import runs
from functions.core import outcomes
from functions.workflow.teardown import terminate_and_confirm, terminate_by_tag


def handler(event, _context=None) -> dict:
    run = runs.get(event["run_id"])
    if run is None:  # the record is gone: still make sure nothing of this run is left running
        return {"status": "unknown", "terminated": terminate_by_tag(event["run_id"])}
    terminate_and_confirm(run)
    status, exit_code, reason = outcomes.from_error(run, event.get("error") or {})
    runs.finish(run.run_id, status, exit_code, reason, now_ms())
    return {"status": status}
