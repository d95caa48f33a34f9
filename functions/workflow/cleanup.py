"""Cleanup: every caught failure ends here: terminate and confirm, then a terminal status with a reason.

Cleanup itself never fails for an instance it cannot reach (a region out of reach, a refused call): the
run still ends, with the reason, and stays unsettled; the sweeper terminates it by tag at every sweep
until EC2 confirms (functions/lifecycle/reconcile.py). Only an end EC2 has not confirmed *yet* is retried
here (TerminationNotConfirmed, by the state machine).
"""
from botocore.exceptions import BotoCoreError

from functions.aws import run_end
from functions.core import outcomes, states
from functions.core.clock import now_ms
from functions.core.errors import AwsError
from functions.lifecycle import pool_claims as claims
from functions.lifecycle.teardown import terminate_and_confirm, terminate_by_tag
from functions.observability import WORKFLOW_FAILURES, emit, logger
from functions.store import runs


def handler(event, _context=None) -> dict:
    run = runs.get(event["run_id"])
    if run is None:  # the record is gone: still make sure nothing of this run is left running
        return {"status": "unknown", "terminated": terminate_by_tag(event["run_id"])}
    status, exit_code, reason = outcomes.from_error(run, event.get("error") or {})
    if run.instance_key is None:  # Provision failed for good between a pool claim and recording it
        claimed = claims.claimed_by(run)
        if claimed:  # recorded now, so that the teardown below ends it (its tags do not name the run yet)
            run = runs.update(run.run_id, instance_key=claimed.instance_key)
    try:
        terminate_and_confirm(run)
    except (AwsError, BotoCoreError) as err:
        logger.warning("teardown out of reach: the sweeper retries", extra={"run_id": run.run_id, "error": str(err)})
        reason += f"; its instances could not be terminated yet ({err}): the sweeper keeps trying"
    ended = run_end.finish(run.run_id, status, exit_code, reason, now_ms())  # once, though Cleanup is retried
    emit({WORKFLOW_FAILURES: 1} if ended and status == states.ERROR else {})  # not a cancel, a timeout, a notice
    return {"status": status}
