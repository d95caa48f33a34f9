"""A run's end, the one way every path writes it (Finalize, Cleanup, the agent's report, the sweeper's
reconcile): the terminal status written once, then, by the writer that won only, its metrics and the
run-end webhook. Neither can fail or undo the end: both are best effort (functions/observability.emit,
functions/aws/webhook.notify)."""
from functions.aws import webhook
from functions.core.clock import iso
from functions.observability import RUNS_ENDED, emit, start_phases
from functions.settings import settings
from functions.store import instances, runs


def finish(run_id: str, status: str, exit_code: int | None, reason: str, ended_ms: int) -> bool:
    """runs.finish(), and what follows the first end; False (nothing else done) when it had ended already."""
    if not runs.finish(run_id, status, exit_code, reason, ended_ms):
        return False
    emit({RUNS_ENDED: 1}, status=status)
    run = runs.get(run_id)
    if run and run.started_ms is None:  # a run that started had its phases emitted then (report_status)
        instance = instances.get(run.instance_key) if run.instance_key else None
        start_phases(run.created_ms, run.launched_ms, instance and instance.registered_ms, None)
    if run and settings().webhook_url:
        webhook.notify({"run_id": run_id, "status": status, "reason": reason, "exit_code": exit_code,
                        "ended_at": iso(ended_ms), "created_at": iso(run.created_ms),
                        "started_at": iso(run.started_ms), "region": run.region,
                        "instance_type": run.instance_type, "owner": run.owner})
    return True
