"""The sweeper: per region in use, one paginated DescribeInstances of ours; terminate what should be gone.

Only instances tagged skyrepl:managed=true AND this control plane's skyrepl:control-id are ever
looked at. A just-launched instance is given time: EC2 and our records are eventually consistent.
An instance of ours with no run record is an orphan: recorded (`repl orphan list`), and
terminated once its deadline tag (and the agent's time to report after it) has passed.
"""
from functions.aws import provider, stepfunctions
from functions.core import states
from functions.core.clock import iso, now_ms, parse_iso
from functions.core.naming import TAG_DEADLINE, TAG_RUN_ID
from functions.settings import settings
from functions.store import instances, kv, runs

LAUNCH_GRACE_MS = 3 * 60_000  # a run's own workflow terminates it first; the sweeper is the backstop
AGENT_SILENT_MS = 20 * 60_000  # the agent's own dead-man's switch fires at 20 min too
ORPHAN_PREFIX = "orphan#"
PAST_DEADLINE = "past its deadline"


def sweep() -> dict:
    terminated, orphans = [], []
    for region in provider.regions_in_use():
        for found in provider.list_managed(region, settings().control_id):
            run = runs.get(found.get("tags", {}).get(TAG_RUN_ID, ""))
            why = verdict(found, run, now_ms())
            if run is None:
                orphans.append(_record_orphan(region, found, why))
            if why:
                provider.terminate(region, found["instance_id"])
                _mark_terminated(run)
                _end_workflow_wait(run, why)
                terminated.append({"instance_id": found["instance_id"], "region": region, "reason": why})
    return {"terminated": terminated, "orphans": orphans}


def verdict(found: dict, run: dict | None, now: int) -> str | None:
    """Why this instance must go now, or None to leave it."""
    deadline = found.get("tags", {}).get(TAG_DEADLINE)
    # not before its agent has had the time the workflow gives it to report (its last logs, artifacts)
    if deadline and parse_iso(deadline) + 1000 * states.AGENT_REPORT_GRACE_SECONDS <= now:
        return PAST_DEADLINE
    if run and states.cancel_overdue(run, now):
        return "its run was cancelled and its agent did not stop it"
    if found.get("launch_time") and now - parse_iso(found["launch_time"]) < LAUNCH_GRACE_MS:
        return None
    if run and states.is_terminal(run["status"]):
        return "its run has ended"
    instance = instances.get(run["instance_key"]) if run and run.get("instance_key") else None
    if instance and instance.get("registered_ms") and now - instance.get("last_seen_ms", now) > AGENT_SILENT_MS:
        return f"its agent has been silent for over {AGENT_SILENT_MS // 60_000} min"
    return None


def list_orphans() -> list:
    return sorted((kv.get(key) or {} for key in kv.keys(ORPHAN_PREFIX)), key=lambda o: o.get("seen_at", ""))


def _record_orphan(region: str, found: dict, why: str | None) -> dict:
    tags = found.get("tags", {})
    orphan = {"instance_id": found["instance_id"], "region": region, "state": "terminated" if why else found["state"],
              "run_id": tags.get(TAG_RUN_ID), "deadline": tags.get(TAG_DEADLINE), "name": tags.get("Name"),
              "seen_at": iso(now_ms()), "action": f"terminated: {why}" if why else "kept until its deadline"}
    kv.put(ORPHAN_PREFIX + found["instance_id"], orphan)
    return orphan


def _end_workflow_wait(run: dict | None, why: str) -> None:
    """A workflow waiting on this instance's agent would wait out its heartbeat: end the wait now,
    and its Cleanup gives the run its terminal status (cancelled, timed out, or the reason)."""
    if not run or not run.get("task_token") or states.is_terminal(run["status"]):
        return
    error = "RunCancelled" if run.get("cancel_requested") else (
        "DeadlineReached" if why == PAST_DEADLINE else "InstanceSwept")
    stepfunctions.fail(run["task_token"], error, f"the sweeper terminated the instance: {why}")


def _mark_terminated(run: dict | None) -> None:
    if run and run.get("instance_key"):
        instances.update(run["instance_key"], state=states.TERMINATED, terminated_ms=now_ms())
