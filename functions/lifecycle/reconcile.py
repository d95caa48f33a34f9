"""Every run ends: a run whose workflow is no longer running but which has not ended (its execution was
stopped from outside, or failed where nothing could catch it) is ended `error` with the execution's own
failure as the reason; a run whose teardown did not finish (a region out of reach) has its instances
terminated by tag, retried at every sweep until EC2 confirms; a run-end webhook the receiver did not
take is sent again (functions/aws/run_end.webhook_delivered). Then the run is settled."""
from functions.aws import run_end, stepfunctions
from functions.core import states
from functions.core.clock import now_ms
from functions.core.records import Run
from functions.lifecycle.teardown import terminate_and_confirm
from functions.observability import logger
from functions.store import runs

START_GRACE_MS = 5 * 60_000  # a run with no execution yet: its create may still be starting it


def reconcile(run: Run, now: int) -> str | None:
    """What was done to this run ("ended", "terminated", "settled"), or None."""
    execution = stepfunctions.execution_status(run.execution_arn) if run.execution_arn else None
    if execution is None and now - run.created_ms < START_GRACE_MS:
        return None
    if execution and execution["status"] == "RUNNING":
        return None  # the workflow is on it
    done = None
    if not run.ended:
        if run.cancel_requested:
            run_end.finish(run.run_id, states.CANCELLED, None, f"cancelled by the user ({_reason(run, execution)})", now)
        else:
            run_end.finish(run.run_id, states.ERROR, None, _reason(run, execution), now)
        done = "ended"
    if run.terminated_ms is None:
        try:
            terminate_and_confirm(runs.get(run.run_id) or run)
        except Exception as err:  # noqa: BLE001 - a region still out of reach: the next sweep tries again
            logger.warning("teardown not confirmed yet", extra={"run_id": run.run_id, "error": str(err)})
            return done
        done = done or "terminated"
    if not run_end.webhook_delivered(runs.get(run.run_id) or run, now):
        return done  # its run-end webhook is still to be delivered: unsettled (seen again) until then
    runs.settle(run.run_id)
    return done or "settled"


def _reason(run: Run, execution: dict | None) -> str:
    if execution is None and run.execution_arn:  # its history expired, or it was deleted
        return "the run's workflow execution no longer exists; its instance, if any, is terminated"
    if execution is None:
        return "the run's workflow never started; its instance, if any, is terminated"
    detail = ": ".join(filter(None, (execution.get("error"), execution.get("cause"))))
    return f"the run's workflow ended ({execution['status'].lower()}) without ending it" + (f" ({detail})" if detail else "")


def sweep(now: int | None = None) -> list[dict]:
    """reconcile() every unsettled run; what was done, per run."""
    now = now or now_ms()
    done = []
    for run in runs.unsettled():
        action = reconcile(run, now)
        if action and action != "settled":
            done.append({"run_id": run.run_id, "action": action})
    return done
