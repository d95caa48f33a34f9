"""The sweeper: per region in use, one paginated DescribeInstances of ours; terminate what should be gone.

Only instances tagged skyrepl:managed=true AND this control plane's skyrepl:control-id are ever
looked at. A just-launched instance is given time: EC2 and our records are eventually consistent.
An instance of ours with no run record is an orphan: recorded (`repl orphan list`), and
terminated once its deadline tag (and the agent's time to report after it) has passed.
What it terminates leaves the tailnet too (its device repl-<run-id>, or a pool instance's own), once every
termination is done (an idle pool instance it retires too).
"""
from functions.aws import provider, stepfunctions
from functions.core import states
from functions.core.clock import iso, now_ms, parse_iso
from functions.core.errors import DeadlineReached, InstanceSwept, RunCancelled
from functions.core.naming import TAG_DEADLINE, TAG_INSTANCE_KEY, TAG_POOL, TAG_RUN_ID
from functions.core.records import Instance, Orphan, Run
from functions.lifecycle import reconcile, teardown
from functions.observability import INSTANCES_PAST_DEADLINE, LEAKS_CAUGHT, ORPHANS_FOUND, emit
from functions.lifecycle.pool_keeper import IDLE_TIMEOUT, MAX_AGE, retire, terminate_unrecorded
from functions.settings import settings
from functions.store import instances, orphans, pools, runs

LAUNCH_GRACE_MS = 3 * 60_000  # a run's own workflow terminates it first; the sweeper is the backstop
PAST_DEADLINE = "past its deadline"
UNACCOUNTED_REQUEST = "its persistent spot request is one no pool accounts for"


def sweep() -> dict:
    terminated, orphan_ids, devices = [], [], []
    for region in provider.regions_in_use():
        for found in provider.list_managed(region, settings().control_id):
            member = _pool_member(found)
            if member and member.run_id is None:  # idle in its pool: the pool's rules, not a run's
                why = pool_verdict(found, member, now_ms())
                if why:
                    retire(member, why)
                    terminated.append({"instance_id": found["instance_id"], "region": region, "reason": why})
                    devices.append(member.tailscale_hostname)
                continue
            run_id = member.run_id if member else found.get("tags", {}).get(TAG_RUN_ID, "")
            if member:  # claimed: the run's deadline is the record's (its tag may still say the idle expiry)
                found = {**found, "tags": {**found["tags"], TAG_DEADLINE: iso(member.deadline_ms)}}
            run = runs.get(run_id) if run_id else None
            why = verdict(found, run, now_ms())
            if run is None:
                orphan_ids.append(_record_orphan(region, found, why))
            if why:
                if member and member.spot_request_id:  # a spot pool's: cancelled first, or EC2 replaces it
                    provider.cancel_spot_request(region, member.spot_request_id)
                provider.terminate(region, found["instance_id"])
                _mark_terminated(run)
                _end_workflow_wait(run, why)
                terminated.append({"instance_id": found["instance_id"], "region": region, "reason": why})
                devices.append(teardown.device_of(run_id, member))  # an orphan's too, by its run-id tag
        terminated += unaccounted_spot_requests(region, now_ms())
    reconciled = reconcile.sweep()
    teardown.leave_tailnet(*devices)  # last: a Tailscale outage delays no termination
    emit({LEAKS_CAUGHT: len(terminated), ORPHANS_FOUND: len(orphan_ids),  # every sweep, zeros too: alarms see data
          INSTANCES_PAST_DEADLINE: sum(t["reason"] == PAST_DEADLINE for t in terminated)})
    return {"terminated": terminated, "orphan_ids": orphan_ids, "reconciled": reconciled}


def verdict(found: dict, run: Run | None, now: int) -> str | None:
    """Why this instance must go now, or None to leave it."""
    deadline = found.get("tags", {}).get(TAG_DEADLINE)
    # not before its agent has had the time the workflow gives it to report (its last logs, artifacts)
    if deadline and parse_iso(deadline) + 1000 * states.AGENT_REPORT_GRACE_SECONDS <= now:
        return PAST_DEADLINE
    if run and run.cancel_overdue(now):
        return "its run was cancelled and its agent did not stop it"
    if found.get("launch_time") and now - parse_iso(found["launch_time"]) < LAUNCH_GRACE_MS:
        return None
    if run and run.ended and not run.kept(now):  # a kept one stays to its time (and its deadline, above)
        return "its run has ended"
    instance = instances.get(run.instance_key) if run and run.instance_key else None
    silent_s = run.timings.agent_silent_seconds if run else 0
    if instance and instance.registered_ms and now - (instance.last_seen_ms or now) > 1000 * silent_s:
        return f"its agent has been silent for over {silent_s} s"
    return None


def unaccounted_spot_requests(region: str, now: int) -> list:
    """Cancel our open persistent requests that no live pool instance's record holds (a pool deleted
    half-way, a keeper that died between its request and its record...), then terminate what each
    launched: left alone, such a request relaunches for ever, untagged."""
    cancelled = []
    for request in provider.open_requests(region, settings().control_id):
        key = request["tags"].get(TAG_INSTANCE_KEY)
        member = instances.get(key) if key else None
        if member and not member.gone and (member.spot_request_id == request["request_id"] or (
                member.spot_request_id is None and now - member.created_ms < LAUNCH_GRACE_MS)):
            continue  # its pool's (or, just made, about to be recorded as such)
        provider.cancel_spot_request(region, request["request_id"])
        launched = [request["instance_id"], *provider.request_instances(region, request["request_id"])]
        for instance_id in terminate_unrecorded(region, launched, request["tags"]):  # its tags: the instance's
            cancelled.append({"instance_id": instance_id, "region": region, "reason": UNACCOUNTED_REQUEST})
    return cancelled


def _pool_member(found: dict) -> Instance | None:
    """The record of a pool's instance (its tag names it); None for a run's own instance, or a pool
    instance whose record is gone (an orphan: it goes at its deadline tag like any other)."""
    tags = found.get("tags", {})
    return instances.get(tags[TAG_INSTANCE_KEY]) if tags.get(TAG_POOL) and tags.get(TAG_INSTANCE_KEY) else None


def pool_verdict(found: dict, member: Instance, now: int) -> str | None:
    """Why an idle pool instance must go now: its pool is gone or going, its idle time is up, its record
    says it ended; None to leave it to its pool."""
    if member.gone:
        return "its record says it has ended"
    pool = pools.get(member.owner, member.pool_name or "")
    if pool is None or pool.pool_id != member.pool_id:
        return "its pool was deleted"
    if pool.deleting:
        return "its pool is being deleted"
    if pool.dormant(now):
        return IDLE_TIMEOUT
    deadline = found.get("tags", {}).get(TAG_DEADLINE)
    if now >= member.deadline_ms or (deadline and parse_iso(deadline) <= now):
        return MAX_AGE
    return None


def _record_orphan(region: str, found: dict, why: str | None) -> str:
    tags = found.get("tags", {})
    deadline = tags.get(TAG_DEADLINE)
    orphan = Orphan(instance_id=found["instance_id"], region=region, state="terminated" if why else found["state"],
                    action=f"terminated: {why}" if why else "kept until its deadline", seen_ms=now_ms(),
                    run_id=tags.get(TAG_RUN_ID), deadline_ms=_parse_or_none(deadline), name=tags.get("Name"))
    orphans.record(orphan)
    return orphan.instance_id


def _parse_or_none(text: str | None) -> int | None:
    try:
        return parse_iso(text) if text else None
    except ValueError:  # a tag someone else wrote: kept as unknown
        return None


def _end_workflow_wait(run: Run | None, why: str) -> None:
    """A workflow waiting on this instance's agent would wait out its heartbeat: end the wait now,
    and its Cleanup gives the run its terminal status (cancelled, timed out, or the reason)."""
    if run and run.keep_token and run.ended:  # kept after its command: the wait ends, Finalize records the end
        stepfunctions.succeed(run.keep_token, {"released": True})
    if not run or not run.task_token or run.ended:
        return
    cause = f"the sweeper terminated the instance: {why}"
    error = RunCancelled if run.cancel_requested else DeadlineReached if why == PAST_DEADLINE else InstanceSwept
    stepfunctions.fail(run.task_token, error(cause))


def _mark_terminated(run: Run | None) -> None:
    if run and run.instance_key:
        instances.update(run.instance_key, state=states.TERMINATED, terminated_ms=now_ms())


def reconcile_one(run_id: str) -> str | None:
    run = runs.get(run_id)
    return reconcile.reconcile(run, now_ms()) if run else None
