"""User-facing use cases: create, read, list and cancel runs; list instances."""
from functions.aws import stepfunctions
from functions.core import states
from functions.core.clock import iso, now_ms
from functions.core.errors import Conflict, Invalid
from functions.core.naming import new_run_id
from functions.core.requests import parse_run_request
from functions.settings import settings
from functions.store import instances, logs, runs

MAX_LIST_LIMIT = 200


def create_run(owner: str, body) -> dict:
    cfg = settings()
    req = parse_run_request(body, cfg.default_region)
    created = now_ms()
    run = {
        "run_id": new_run_id(), "owner": owner, "status": states.PENDING, "provider": req.provider,
        "spec": req.spec.text, "instance_type": req.spec.instance_type, "arch": req.spec.arch,
        "version": req.spec.version, "region": req.region, "spot": req.spot, "command": req.command,
        "max_duration_ms": req.max_duration_ms, "created_ms": created, "created_at": iso(created),
        # Max-duration bounds what the user pays for, boot included: the clock starts now.
        "deadline_ms": created + req.max_duration_ms,
        "config": {"boot_poll_seconds": cfg.boot_poll_seconds, "boot_timeout_seconds": cfg.boot_timeout_seconds,
                   "agent_lost_seconds": cfg.agent_lost_seconds},
    }
    runs.create(run)
    arn = stepfunctions.start(run["run_id"], {"run_id": run["run_id"], "config": run["config"]})
    return runs.update(run["run_id"], execution_arn=arn)


def list_runs(owner: str, limit: str | None, cursor: str | None) -> dict:
    items, next_cursor = runs.list_owned(owner, _limit(limit), cursor)
    return {"runs": [runs.to_api(r) for r in items], "next_cursor": next_cursor}


def read_logs(owner: str, run_id: str, after: str | None) -> dict:
    run = runs.get_owned(run_id, owner)  # read the status first: no entry written before it is missed
    entries, last = logs.read(run_id, _int("after", after or "0"))
    return {"entries": entries, "next": last, "run": runs.to_api(run)}


def cancel_run(owner: str, run_id: str) -> dict:
    run = runs.get_owned(run_id, owner)
    if states.is_terminal(run["status"]):
        raise Conflict(f"run_id: run {run_id} has already ended ({run['status']})", field="run_id")
    run = runs.update(run_id, cancel_requested=True)
    if run.get("instance_key"):
        instances.push_event(run["instance_key"], "cancel_run", {"run_id": run_id})
    if run.get("task_token"):  # waiting on the agent: fail the task, the workflow cleans up
        stepfunctions.fail(run["task_token"], "RunCancelled", "cancelled by the user")
    return run


def list_instances(owner: str, include_ended: bool) -> dict:
    return {"instances": [instances.to_api(i) for i in instances.list_owned(owner, include_ended)]}


def _limit(text: str | None) -> int:
    value = _int("limit", text or "50")
    if not 1 <= value <= MAX_LIST_LIMIT:
        raise Invalid(f"limit: {value} is out of range; allowed: 1 to {MAX_LIST_LIMIT}", field="limit")
    return value


def _int(field: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise Invalid(f"{field}: {text!r} is not an integer", field=field) from None

