"""A run's end, the one way every path writes it (Finalize, Cleanup, the agent's report, the sweeper's
reconcile): the terminal status written once, then, by the writer that won only, its metrics and the
run-end webhook. Neither can fail or undo the end: both are best effort (functions/observability.emit,
functions/aws/webhook.notify). A webhook the receiver did not take is sent again by the sweeper, which
keeps the run unsettled until it is delivered or given up (functions/lifecycle/reconcile.py)."""
from functions.aws import webhook
from functions.core.clock import iso
from functions.core.records import Run
from functions.observability import RUNS_ENDED, emit, logger, start_phases
from functions.settings import settings
from functions.store import instances, runs

WEBHOOK_ATTEMPTS = 5  # then given up, and logged: a receiver down for good does not keep runs unsettled
WEBHOOK_RETRY_MS = 60_000  # after the first failure; doubled after each next one (the sweeper comes every 5 min)


def finish(run_id: str, status: str, exit_code: int | None, reason: str, ended_ms: int) -> bool:
    """runs.finish(), and what follows the first end; False (nothing else done) when it had ended already."""
    if not runs.finish(run_id, status, exit_code, reason, ended_ms):
        return False
    emit({RUNS_ENDED: 1}, status=status)
    run = runs.get(run_id)
    if run and run.started_ms is None:  # a run that started had its phases emitted then (report_status)
        instance = instances.get(run.instance_key) if run.instance_key else None
        start_phases(run.created_ms, run.launched_ms, instance and instance.registered_ms, None)
    if run and settings().webhook_url and not webhook.notify(webhook_payload(run)):
        runs.update(run_id, webhook_attempts=1, webhook_due_ms=ended_ms + WEBHOOK_RETRY_MS)
    return True


def webhook_payload(run: Run) -> dict:
    return {"run_id": run.run_id, "status": run.status, "reason": run.reason, "exit_code": run.exit_code,
            "ended_at": iso(run.ended_ms), "created_at": iso(run.created_ms), "started_at": iso(run.started_ms),
            "region": run.region, "instance_type": run.instance_type, "owner": run.owner}


def webhook_delivered(run: Run, now: int) -> bool:
    """Whether nothing is left to send (False: try again at a later sweep). Sends a due webhook once more."""
    if run.webhook_due_ms is None:
        return True
    if not settings().webhook_url:  # no longer configured: nowhere to send it
        runs.update(run.run_id, webhook_due_ms=None)
        return True
    if now < run.webhook_due_ms:
        return False
    attempts = run.webhook_attempts + 1
    if webhook.notify(webhook_payload(run)) or attempts >= WEBHOOK_ATTEMPTS:
        if attempts >= WEBHOOK_ATTEMPTS:
            logger.error("run-end webhook given up", extra={"run_id": run.run_id, "attempts": attempts})
        runs.update(run.run_id, webhook_due_ms=None, webhook_attempts=attempts)
        return True
    runs.update(run.run_id, webhook_attempts=attempts,
                webhook_due_ms=now + WEBHOOK_RETRY_MS * 2 ** (attempts - 1))
    return False
