"""The pool keeper: every pool back at its size, and nothing of a pool left that the pool does not
account for. Invoked after a claim (by Provision), after a create, resize or delete (by the API), and
on a schedule (the backstop, as the sweeper is for runs).

An instance of a spot pool belongs to a persistent request: terminating it alone makes EC2 launch a
replacement that no record knows (and that is untagged). So `retire` always cancels the request first.
"""
from functions.aws import bootstrap, lambdas, prices, provider
from functions.core import naming, states, tokens
from functions.core.clock import iso, now_ms
from functions.core.records import Instance, Pool
from functions.observability import logger
from functions.tailscale import membership
from functions.settings import settings
from functions.store import instances, pools
from functions.lifecycle.best_effort import attempt


# One keeper per pool at a time, for at most this long (more than the keeper Lambda's timeout, so a
# keeper that died mid-way only delays the next one)
LEASE_MS = 150_000
# A just-launched instance may not be visible to DescribeInstances yet (EC2 is eventually consistent)
VISIBLE_WITHIN_MS = 30_000
MAX_AGE = "it reached its pool's max age"
IDLE_TIMEOUT = "its pool was not used for its idle timeout"


def ask(pool: Pool) -> None:
    """A keep of the pool, asked for: written in the record first (`wanted_ms`: a keeper that holds the
    lease sees it, and whoever waits on the pool knows a keep is coming), then the keeper invoked, unwaited."""
    pools.want(pool, now_ms())
    lambdas.invoke_async(settings().pool_keeper_function, {"owner": pool.owner, "name": pool.name})


def keep(pool: Pool) -> dict:
    """The pool kept (see _keep_once) by this call or, if another keeper holds the pool's lease, by that
    one: it is told first, and keeps once more before it lets go."""
    pools.want(pool, now_ms())
    if not pools.lease(pool, now_ms(), LEASE_MS):
        return {"pool": pool.name, "launched": 0, "retired": 0, "kept_by": "another keeper"}
    while True:
        started = now_ms()
        try:
            result = _keep_once(pool)
        except Exception:
            pools.release(pool, now_ms() + 1)  # a failed keep lets go at once: the next one (its tick) goes on
            raise
        if pools.release(pool, started):
            return result  # else keep again: _keep_once reads the pool afresh


def _keep_once(pool: Pool) -> dict:
    """Retire what must go, then launch what is missing; what it did."""
    pool = pools.get(pool.owner, pool.name) or pool
    if pool.deleting:
        return {"pool": pool.name, "launched": 0, "retired": delete(pool)}
    now = now_ms()
    pool = _priced(pool) if pool.target(now) else pool
    members = instances.pool_members(pool.pool_id)
    live_ids = _live_instance_ids(pool)
    retired = []
    for member in members:
        if member.run_id is not None:
            continue  # a run's now: its workflow ends it
        if member.spot_request_id and not member.instance_id:
            member = _adopt(member, pool)
        why = retire_reason(member, pool, live_ids, now)
        if why:
            retire(member, why)
            retired.append(member)
    gone = {m.instance_key for m in retired}  # (by key: an adopted member's record has changed since)
    unclaimed = [m for m in members if m.run_id is None and m.instance_key not in gone]
    target = pool.target(now)
    # the booting ones first, then the newest
    surplus = sorted(unclaimed, key=lambda m: (m.registered_ms is not None, -m.created_ms))[:max(0, len(unclaimed) - target)]
    for member in surplus:
        retire(member, f"the pool was resized to {pool.size}" if target else IDLE_TIMEOUT)
    leave_tailnet(retired + surplus)
    launched = [launch(pool) for _ in range(max(0, target - len(unclaimed)))]
    return {"pool": pool.name, "launched": len(launched), "retired": len(retired) + len(surplus)}


def _priced(pool: Pool) -> Pool:
    """One instance's price per hour, looked up once (best effort): what `repl pool list` multiplies."""
    if pool.price_usd_per_hour is not None:
        return pool
    price = attempt("spot price", provider.spot_price, pool.region, pool.instance_type) if pool.spot else None
    price = price if price is not None else attempt("on-demand price", prices.on_demand, pool.region, pool.instance_type)
    return (pools.update(pool, price_usd_per_hour=price) or pool) if price is not None else pool


def keep_every() -> list:
    """Every pool of every owner (the schedule)."""
    return [keep(pool) for pool in pools.every()]


def retire_reason(member: Instance, pool: Pool, live_ids: set | None, now: int) -> str | None:
    if now >= member.deadline_ms:
        return MAX_AGE
    if live_ids is not None and member.instance_id and member.instance_id not in live_ids \
            and (member.registered_ms or now - (member.launched_ms or now) > VISIBLE_WITHIN_MS):
        return "EC2 no longer runs it (interrupted?)"
    if member.registered_ms is None and now - (member.launched_ms or member.created_ms) > \
            1000 * settings().timings.boot_timeout_seconds:
        return "its agent did not register in time"
    if member.registered_ms and now - (member.last_seen_ms or now) > 1000 * settings().timings.agent_silent_seconds:
        return "its agent went silent"
    return None


def launch(pool: Pool) -> Instance:
    """One more idle instance: its record first (two-phase spawn), then the launch."""
    now = now_ms()
    deadline = now + pool.max_age_ms  # a claim moves it to the run's
    instance = Instance(instance_key="k" + naming.new_id(15), run_id=None, owner=pool.owner, region=pool.region,
                        instance_type=pool.instance_type, spot=pool.spot, state=states.REQUESTED, created_ms=now,
                        deadline_ms=deadline, pool_id=pool.pool_id, pool_name=pool.name)
    instances.create(instance)
    try:
        return _launch(pool, instance)
    except Exception:
        # nothing half-made stays: a request made is cancelled (the record, as _launch left it, says)
        failed = instances.get(instance.instance_key) or instance
        retire(failed, "its launch failed")
        leave_tailnet([failed])
        raise


def _launch(pool: Pool, instance: Instance) -> Instance:
    cfg, region = settings(), pool.region
    token, token_hash = tokens.mint(instance.instance_key)
    instances.add_token_hash(instance.instance_key, token_hash)
    boot = provider.startup(region)
    image_id = pool.image_id or provider.resolve_ami(region, pool.version, pool.arch)
    tags = naming.pool_instance_tags(cfg.control_id, pool.pool_id, pool.name, instance.instance_key,
                                     iso(instance.deadline_ms))
    join = membership.join(instance.instance_key, f"skyrepl pool {pool.name}")  # as a run's instance does
    if join:  # the record keeps the hostname (repl ssh of the run that claims it), never the key
        instance = instances.update(instance.instance_key, tailscale_hostname=join["hostname"])
    user_data = bootstrap.user_data(cfg.api_url, token, tailscale=join)
    client_token = f"pool-{cfg.control_id}-{instance.instance_key}"
    if pool.spot:
        request = provider.request_spot_instance(region, pool.instance_type, image_id, user_data, tags,
                                                 boot["security_group_id"], boot["key_name"], client_token)
        instance = instances.update(instance.instance_key, spot_request_id=request["request_id"])
        instance_id = request["instance_id"] or next(iter(provider.request_instances(region, request["request_id"])),
                                                     None)
        if instance_id is None:  # not fulfilled yet: a later keep() tags it once it is there
            return instance
        provider.tag(region, instance_id, tags)
    else:
        instance_id = provider.launch(provider.LaunchRequest(
            region=region, instance_type=pool.instance_type, image_id=image_id, spot=False, user_data=user_data,
            client_token=client_token, tags=tags, security_group_id=boot["security_group_id"],
            key_name=boot["key_name"]))["instance_id"]
    return instances.update(instance.instance_key, instance_id=instance_id, state=states.INST_PENDING,
                            launched_ms=now_ms())


def _adopt(member: Instance, pool: Pool) -> Instance:
    """A spot request fulfilled since it was made: its instance tagged as ours, and recorded."""
    found = attempt("spot request's instance", provider.request_instances, member.region, member.spot_request_id)
    if not found:
        return member
    instance_id = found[0]
    provider.tag(member.region, instance_id, naming.pool_instance_tags(
        settings().control_id, pool.pool_id, pool.name, member.instance_key, iso(member.deadline_ms)))
    return instances.update(member.instance_key, instance_id=instance_id, state=states.INST_PENDING,
                            launched_ms=now_ms())


def retire(member: Instance, why: str) -> None:
    """Cancel its spot request (first: else EC2 replaces the instance), terminate it, record it gone."""
    logger.info("pool instance retired", extra={"pool": member.pool_name, "instance_key": member.instance_key,
                                                "instance_id": member.instance_id, "why": why})
    if member.spot_request_id:
        provider.cancel_spot_request(member.region, member.spot_request_id)
        # every instance the request launched: the recorded one, one fulfilled since the record was last
        # written, and one EC2 launched in place of an interrupted one (untagged: nothing else finds it)
        terminate_unrecorded(member.region, provider.request_instances(member.region, member.spot_request_id),
                             naming.pool_instance_tags(settings().control_id, member.pool_id or "", member.pool_name or "",
                                                       member.instance_key, iso(member.deadline_ms)),
                             recorded=member.instance_id)
    if member.instance_id:
        provider.terminate(member.region, member.instance_id)
    instances.update(member.instance_key, state=states.TERMINATED, terminated_ms=now_ms())


def leave_tailnet(retired: list) -> list:
    """The tailnet devices of these retired instances removed, after their terminations and in one device
    listing (best effort: a Tailscale outage costs one listing's retries and delays no termination)."""
    return membership.leave(*(m.tailscale_hostname for m in retired))


def terminate_unrecorded(region: str, instance_ids: list, tags: dict, recorded: str | None = None) -> list:
    """Terminate a spot request's instances that no record names, each tagged as ours first (EC2 launched
    it untagged, and TerminateInstances is granted on our tagged instances only)."""
    done = []
    for instance_id in sorted(set(instance_ids) - {recorded, None}):
        provider.tag(region, instance_id, tags)
        provider.terminate(region, instance_id)
        done.append(instance_id)
    return done


def delete(pool: Pool) -> int:
    """Marked deleting first (no run claims from it any more), then every idle instance retired, then the
    record removed. A failure half-way leaves the mark: the next keep() (the schedule's) goes on from it."""
    if not pool.deleting:
        pool = pools.update(pool, deleting_ms=now_ms()) or pool
    idle = [m for m in instances.pool_members(pool.pool_id) if m.run_id is None]
    for member in idle:
        retire(member, "its pool was deleted")
    leave_tailnet(idle)
    pools.delete(pool)
    return len(idle)


def _live_instance_ids(pool: Pool) -> set | None:
    """The ids EC2 shows live for this pool (None if EC2 could not be asked: then nothing is judged gone)."""
    found = attempt("pool instances", provider.list_managed, pool.region, settings().control_id)
    if found is None:
        return None
    return {f["instance_id"] for f in found if f.get("tags", {}).get(naming.TAG_POOL) == pool.pool_id}
