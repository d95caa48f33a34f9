"""Run use cases: create, get, list, read logs, cancel."""
import hashlib
import json

from functions.api import budget, snapshots, workdirs
from functions.api.views import log_entries, run_view
from functions.aws import lambdas, log_chunks, regions, run_env, stepfunctions
from functions.core import choices, limits, states
from functions.core.clock import iso, now_ms
from functions.core.errors import Conflict, Invalid, RunCancelled, TooManyRuns
from functions.core.naming import idempotent_run_id, new_run_id
from functions.core.records import Run
from functions.core.requests import RunRequest, parse_run_request
from functions.observability import RUNS_CREATED, emit
from functions.lifecycle import pool_claims as claims, warm_start
from functions.settings import settings
from functions.store import instances, logs, runs

MAX_LIST_LIMIT = 200
MAX_IDEMPOTENCY_KEY = 255
WATCH_REFRESH_MS = 10_000  # under the agent API's ATTACHED_MS


def create_run(owner: str, body, idempotency_key: str | None = None) -> tuple[Run, bool]:
    """The new run, and whether it already existed: with an Idempotency-Key, the same owner and
    key always name the same run, however often the request is sent (after a timeout, a crash...)."""
    req = parse_run_request(body, settings().default_region)
    for region in req.regions or (req.region,) if req.region else ():
        regions.check(region, "regions" if req.regions else "region")
    key = _idempotency_key(idempotency_key)
    req, image_id = snapshots.launch_from(owner, req) if req.snapshot else (req, None)
    for spec in req.specs or (req.spec,):
        limits.check(settings().limits, spec.instance_type, req.max_duration_ms)
    claims.check_named(owner, req)
    if settings().limits.budget_monthly_usd is not None:
        limits.check_budget(settings().limits, budget.spent_this_month(owner))
    try:
        limits.check_active(settings().limits, runs.active_count(owner))
    except TooManyRuns:
        if not (key and runs.get(idempotent_run_id(owner, key))):  # a replay is not a new run
            raise
    run = _new_run(owner, req, image_id, idempotent_run_id(owner, key) if key else new_run_id(),
                   _fingerprint(body) if key else None)
    replayed = not runs.create(run)
    if not replayed:
        emit({RUNS_CREATED: 1})
    if replayed:
        run = _replayed(owner, run.run_id, run.request_hash)
        if run.execution_arn:
            return run, True
        # else the first request stopped between the two writes: starting is safe (executions are named)
    run_env.save(run.run_id, req.env)  # before the workflow starts: the agent reads it at start_run
    run, claimed = warm_start.at_create(run)  # before the workflow starts too: Provision finds the claim
    run = runs.update(run.run_id, execution_arn=stepfunctions.start(run))
    warm_start.hand_over(run, claimed)  # once there is a workflow to end the run
    return run, replayed


def _new_run(owner: str, req: RunRequest, image_id: str | None, run_id: str, request_hash: str | None) -> Run:
    created, first = now_ms(), req.choices[0]  # the run's region, type and market: its first choice's
    return Run(
        run_id=run_id, owner=owner, status=states.PENDING, provider=req.provider, spec=req.spec.text,
        instance_type=first.instance_type, arch=req.spec.arch, version=req.spec.version, region=first.region,
        spot=first.spot, choices=req.choices if len(req.choices) > 1 else (), spot_policy=req.spot_policy,
        command=req.command, max_duration_ms=req.max_duration_ms, created_ms=created,
        timings=settings().timings,  # the deadline: set at the launch request (workflow/provision.py)
        snapshot=req.snapshot, image_id=image_id, request_hash=request_hash,
        env_names=tuple(sorted(req.env)),  # the values are secrets: only in SSM, until teardown
        workdir_sha256=req.workdir, workdir_key=workdirs.archive_key(owner, req.workdir) if req.workdir else None,
        artifacts=tuple(req.artifacts), max_cost_usd=req.max_cost_usd, pool=req.pool, no_pool=req.no_pool,
        keep_alive_ms=req.keep_alive_ms)


def _idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_IDEMPOTENCY_KEY or not value.isprintable() or not value.isascii():
        raise Invalid(f"Idempotency-Key: must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters "
                      "(a UUID is a good choice)", field="Idempotency-Key")
    return value


def _fingerprint(body: dict) -> str:
    """The request's hash, with env's values left out: a stored hash of a short secret could be guessed."""
    body = {**body, "env": sorted(body["env"])} if isinstance(body.get("env"), dict) else body
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _replayed(owner: str, run_id: str, request_hash: str) -> Run:
    """The run an earlier request with this Idempotency-Key created: only for the very same request."""
    run = runs.get(run_id)
    if run is None or run.owner != owner or run.request_hash != request_hash:
        raise Conflict("Idempotency-Key: already used for a different request; send a new key for a new run",
                       field="Idempotency-Key")
    return run


def get_run(owner: str, run_id: str) -> dict:
    return {"run": run_view(runs.get_owned(run_id, owner))}


def list_runs(owner: str, limit: int = 50, cursor: str | None = None) -> dict:
    found, next_cursor = runs.list_owned(owner, _limit(limit), cursor)
    return {"runs": [run_view(r) for r in found], "next_cursor": next_cursor}


def read_logs(owner: str, run_id: str, after: str | None, seen_status: str | None = None,
              seen_attempts: int | None = None) -> tuple[dict, bool, bool]:
    """A page of the run's output after seq `after`, with the run; whether it held nothing new for a
    follower that has seen `seen_status` and the attempts' `seen_attempts` (choices.progress: it may then
    wait, or read again after `poll_after_ms`); and whether the run's agent was told of a new follower."""
    run = runs.get_owned(run_id, owner)  # read the status first: no entry written before it is missed
    noted = _note_follower(run)
    batches, last = logs.read(run_id, _int("after", after or "0"))
    page = {"entries": log_entries(batches, log_chunks.download_url), "next": last, "run": run_view(run),
            "more": len(batches) >= logs.READ_PAGE_ITEMS,  # a full page: read the next one at once
            "poll_after_ms": settings().client_poll_ms}
    attempts_seen = seen_attempts is None or seen_attempts == choices.progress([a.outcome for a in run.attempts])
    return page, last == _int("after", after or "0") and seen_status == run.status and attempts_seen \
        and not run.ended, noted


def _note_follower(run: Run) -> bool:
    """Someone reads the output: the agent ships it sooner (a write every WATCH_REFRESH_MS at most)."""
    now = now_ms()
    if run.ended or now - (run.watched_ms or 0) <= WATCH_REFRESH_MS:
        return False
    runs.update(run.run_id, watched_ms=now)
    if run.instance_key:  # where the agent API reads it, with the token it checks anyway: no read more
        instances.update(run.instance_key, watched_ms=now)
    return True


def cancel_run(owner: str, run_id: str) -> dict:
    run = runs.get_owned(run_id, owner)
    if run.ended:
        kept = (f"; its instance stays until {iso(run.kept_until_ms)}: repl instance terminate {run_id} ends it"
                if run.kept(now_ms()) else "")
        raise Conflict(f"run_id: run {run_id} has already ended ({run.status}){kept}", field="run_id")
    run = runs.update(run_id, cancel_requested_ms=now_ms())
    if run.instance_key:
        # The agent stops the command (SIGTERM, grace, SIGKILL), ships its last output and reports
        # `cancelled`; if it has not within the grace, its next poll or the sweeper forces the end.
        instances.push_event(run.instance_key, "cancel_run", {"run_id": run_id})
    elif run.task_token:
        stepfunctions.fail(run.task_token, RunCancelled("cancelled by the user"))
    # Before the command started, the workflow's next task sees the cancel and cleans up; a workflow
    # that is no longer running will not: the sweeper ends the run and terminates its instances now.
    execution = stepfunctions.execution_status(run.execution_arn) if run.execution_arn else None
    if execution is not None and execution["status"] != "RUNNING":
        lambdas.invoke(settings().sweeper_function, {"reconcile": run_id})
        run = runs.get(run_id) or run
    return {"run": run_view(run)}


def _limit(value: int) -> int:
    if not 1 <= value <= MAX_LIST_LIMIT:
        raise Invalid(f"limit: {value} is out of range; allowed: 1 to {MAX_LIST_LIMIT}", field="limit")
    return value


MAX_CURSOR = 10 ** 15  # a batch number, bounded long before DynamoDB's 38 digits


def _int(field: str, text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 15):  # isdigit alone takes "²"
        raise Invalid(f"{field}: {text[:40]!r} is not a whole number from 0 to {MAX_CURSOR - 1}", field=field)
    return int(text)
