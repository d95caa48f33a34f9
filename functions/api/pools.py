"""Pool use cases: create, list, get, resize, delete. The API only writes the pool's record and asks
the keeper (functions/lifecycle/pool_keeper.py) to act on it, without waiting: launching, cancelling and
terminating are the keeper's alone, and so are its EC2 grants."""
from functions.api import snapshots
from functions.api.views import pool_view
from functions.aws import regions
from functions.core import limits, naming
from functions.core.clock import now_ms
from functions.core.errors import Conflict, Invalid, LimitReached, NotFound
from functions.core.records import Pool
from functions.core.specs import parse_spec
from functions.settings import settings
from functions.store import instances, pools
from functions.lifecycle import pool_keeper as keeper

MAX_POOLS = 10  # per owner: the keeper's schedule reads every pool each minute


def create(owner: str, body: dict) -> dict:
    spec = parse_spec(body["spec"]) if body.get("spec") else None
    region = regions.check(body["region"]) if body.get("region") else None
    snapshot = body.get("snapshot")
    if snapshot:
        region, spec = snapshots.completed_from(owner, snapshot, region, spec)
    elif spec is None:
        raise Invalid("spec: required (or a snapshot, whose arch gives the default type)", field="spec")
    region = region or settings().default_region
    limits.check(settings().limits, spec.instance_type, settings().limits.max_duration_ms)
    owned = pools.list_owned(owner)
    _check_room(owned, body["size"], None)
    now = now_ms()
    pool = Pool(owner=owner, name=body["name"], pool_id="p" + naming.new_id(12), spec=spec.text,
                instance_type=spec.instance_type, arch=spec.arch, version=spec.version, region=region,
                spot=body.get("spot", False), size=body["size"], idle_timeout_ms=body["idle_timeout_ms"],
                max_age_ms=body["max_age_ms"], created_ms=now, used_ms=now, snapshot=snapshot, image_id=snapshot)
    if not pools.create(pool):
        raise Conflict(f"name: you have a pool named {pool.name} already (repl pool get {pool.name})", field="name")
    _keep(pool)
    return {"pool": pool_view(pool, [], now)}


def list_owned(owner: str) -> dict:
    now = now_ms()
    return {"pools": [pool_view(p, instances.pool_members(p.pool_id), now) for p in pools.list_owned(owner)]}


def get(owner: str, name: str) -> dict:
    pool = _owned(owner, name)
    return {"pool": pool_view(pool, instances.pool_members(pool.pool_id), now_ms())}


def resize(owner: str, name: str, size: int) -> dict:
    pool = _owned(owner, name)
    if pool.deleting:
        raise Conflict(f"name: pool {name} is being deleted", field="name")
    _check_room(pools.list_owned(owner), size, pool)
    pool = pools.update(pool, size=size, used_ms=now_ms()) or _gone(name)
    _keep(pool)
    return {"pool": pool_view(pool, instances.pool_members(pool.pool_id), now_ms())}


def delete(owner: str, name: str) -> dict:
    """Marked deleting (no run claims from it from now on); the keeper then retires its idle instances
    and removes the record. Runs on its instances go on, and their instances end with them."""
    pool = _owned(owner, name)
    pool = pools.update(pool, deleting_ms=pool.deleting_ms or now_ms()) or _gone(name)
    _keep(pool)
    return {"pool": pool_view(pool, instances.pool_members(pool.pool_id), now_ms())}


def _owned(owner: str, name: str) -> Pool:
    return pools.get(owner, name) or _gone(name)


def _gone(name: str):
    raise NotFound(f"name: pool {name} not found (repl pool list)", field="name")


def _check_room(owned: list, size: int, resized: Pool | None) -> None:
    """Pool instances count against the owner's active-runs limit: each is one instance, used or not."""
    others = [p for p in owned if resized is None or p.name != resized.name]
    if resized is None and len(others) >= MAX_POOLS:
        raise LimitReached(f"name: you have {len(others)} pools, the limit; delete one first (repl pool delete)",
                           field="name")
    room = settings().limits.active_runs - sum(p.size for p in others if not p.deleting)
    if size > room:
        raise LimitReached(f"size: {size} is more than the {max(room, 0)} instances your pools may still keep "
                           f"(this deployment's limit of {settings().limits.active_runs} active runs, shared by "
                           "all your pools)", field="size")


def _keep(pool: Pool) -> None:
    keeper.ask(pool)  # "asked for, not yet done" is in the record before the keeper starts
