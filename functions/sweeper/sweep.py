"""The sweeper: per region in use, one paginated DescribeInstances of ours; terminate what should be gone.

Only instances tagged skyrepl:managed=true AND this control plane's skyrepl:control-id are ever
looked at. A just-launched instance is given time: EC2 and our records are eventually consistent.
"""
from functions.aws import provider
from functions.core import states
from functions.core.clock import now_ms, parse_iso
from functions.core.naming import TAG_DEADLINE, TAG_RUN_ID
from functions.settings import settings
from functions.store import instances, kv, runs

LAUNCH_GRACE_MS = 3 * 60_000  # a run's own workflow terminates it first; the sweeper is the backstop


def regions_in_use() -> list:
    started = {key.split("#", 1)[1] for key in kv.keys("startup#")}
    return sorted(started | {settings().default_region})


def sweep() -> dict:
    terminated = []
    for region in regions_in_use():
        for found in provider.list_managed(region, settings().control_id):
            why = verdict(found, now_ms())
            if why:
                provider.terminate(region, found["instance_id"])
                _record(found, why)
                terminated.append({"instance_id": found["instance_id"], "region": region, "reason": why})
    return {"terminated": terminated}


def verdict(found: dict, now: int) -> str | None:
    tags = found.get("tags", {})
    deadline = tags.get(TAG_DEADLINE)
    if deadline and parse_iso(deadline) <= now:
        return "past its deadline"
    if found.get("launch_time") and now - parse_iso(found["launch_time"]) < LAUNCH_GRACE_MS:
        return None
    run = runs.get(tags.get(TAG_RUN_ID, ""))
    if run and states.is_terminal(run["status"]):
        return "its run has ended"
    return None


def _record(found: dict, why: str) -> None:
    run = runs.get(found.get("tags", {}).get(TAG_RUN_ID, ""))
    if run is None:
        kv.put(f"orphan#{found['instance_id']}", {**found, "reason": why})
    elif run.get("instance_key"):
        instances.update(run["instance_key"], state=states.TERMINATED, terminated_ms=now_ms())
