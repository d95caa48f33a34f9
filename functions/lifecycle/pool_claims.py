"""A run takes an instance from a pool: the owner's pool that matches its spec, region, market and
snapshot (or the one it names), an idle instance first, else one still booting (the run then waits for
its registration as a cold run does). One conditional write per try: two runs never share an instance."""
from functions.core.clock import now_ms
from functions.core.errors import Invalid
from functions.core.records import Instance, Pool, Run
from functions.core.requests import RunRequest
from functions.settings import settings
from functions.store import instances, pools


def matching_pool(run: Run) -> Pool | None:
    if run.no_pool:
        return None
    if run.pool:
        pool = pools.get(run.owner, run.pool)
        return pool if pool and matches(pool, run) else None
    return next((p for p in pools.list_owned(run.owner) if matches(p, run)), None)


def matches(pool: Pool, run: Run) -> bool:
    return not pool.deleting and (pool.instance_type, pool.arch, pool.version, pool.region, pool.spot, pool.snapshot) == \
        (run.instance_type, run.arch, run.version, run.region, run.spot, run.snapshot)


# An idle agent calls every pool_poll_ms: one not heard from for this many calls is taken for dead (the
# keeper retires it) and the next instance is tried
SILENT_POLLS = 10
MIN_SILENCE_MS = 20_000  # over a held poll's 15 s (agent/loop.py HOLD_SECONDS: the embedded stack holds it)


def claim(run: Run, pool: Pool) -> Instance | None:
    """An instance of the pool, now the run's; None if the pool has none to give (a cold launch then)."""
    now = now_ms()
    pools.used(pool, now)
    members = [m for m in instances.pool_members(pool.pool_id) if m.instance_id]
    mine = next((m for m in members if m.run_id == run.run_id), None)
    if mine:  # Provision again after its claim was written (its answer lost, retried): the same instance
        return mine
    members = [m for m in members if m.run_id is None]
    # registered ones first (the command starts at once), oldest first (they expire first)
    for member in sorted(members, key=lambda m: (m.registered_ms is None, m.created_ms)):
        if not usable(member, now):
            continue
        claimed = instances.claim(member, run.run_id, run.deadline_ms, now)
        if claimed:
            return claimed
    return None


def claimed_by(run: Run) -> Instance | None:
    """The pool instance this run claimed, found from the pool's side: for a run whose record never got to
    name it (Provision failed for good between its claim and that write), so that its teardown ends it."""
    pool = matching_pool(run)
    return next((m for m in instances.pool_members(pool.pool_id) if m.run_id == run.run_id), None) if pool else None


def usable(member: Instance, now: int) -> bool:
    """Not past its max age, and alive as far as we can tell: its agent polls, or it is still booting."""
    if member.deadline_ms <= now:
        return False
    if member.registered_ms is None:
        return now - (member.launched_ms or member.created_ms) < 1000 * settings().timings.boot_timeout_seconds
    silence = max(MIN_SILENCE_MS, SILENT_POLLS * settings().pool_poll_ms)
    return now - (member.last_seen_ms or member.registered_ms) < silence


def check_named(owner: str, req: RunRequest) -> None:
    """`--pool NAME` on create: the pool exists and keeps what the run asks for, else the user hears why now."""
    if req.pool is None:
        return
    if req.no_pool:
        raise Invalid("pool: --pool and --no-pool contradict each other; give one", field="pool")
    pool = pools.get(owner, req.pool)
    if pool is None or pool.deleting:
        raise Invalid(f"pool: {req.pool} is not one of your pools (repl pool list)", field="pool")
    differ = [what for what, theirs, ours in (
        ("spec", (pool.instance_type, pool.arch, pool.version), (req.spec.instance_type, req.spec.arch, req.spec.version)),
        ("region", pool.region, req.region), ("spot", pool.spot, req.spot), ("snapshot", pool.snapshot, req.snapshot))
        if theirs != ours]
    if differ:
        raise Invalid(f"pool: {req.pool} keeps {pool.spec} in {pool.region}{' (spot)' if pool.spot else ''}"
                      f"{' from ' + pool.snapshot if pool.snapshot else ''}; this run differs in {', '.join(differ)}",
                      field="pool")
