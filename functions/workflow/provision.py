"""Provision: record the instance, then launch it (two-phase spawn), idempotent when retried."""
from functions.aws import bootstrap, prices, provider
from functions.core import costs, naming, states, tokens
from functions.core.clock import iso, now_ms
from functions.core.records import Instance, Pool, Run
from functions.lifecycle import pool_claims as claims, pool_keeper as keeper, warm_start
from functions.settings import settings
from functions.store import instances, pools, runs
from functions.tailscale import membership
from functions.lifecycle.best_effort import attempt
from functions.workflow.guards import load_active


def handler(event, _context=None) -> dict:
    run = load_active(event["run_id"])
    if run.status == states.PENDING:  # not a run its create (or a try before this one) gave an instance
        runs.advance(run.run_id, states.PROVISIONING)
    run = _record_price(run)
    # max-duration counts from here, the launch request (kept if a claim at create or a try set it)
    run = runs.start_clock(run.run_id, costs.deadline_ms(run, run.price_usd_per_hour, now_ms()))
    instance = instances.get(run.instance_key) if run.instance_key else None
    if instance is None:
        warm = _claim_warm(run)
        if warm:
            return warm
    instance = instance or _record_intent(run)
    if instance.instance_id and run.warm_pool:  # claimed at create, or by a try before this one: warm still
        return _claimed(run, instance)
    if instance.instance_id:  # a retry after the launch was recorded
        return {"instance_id": instance.instance_id}
    launch_ms = now_ms()
    launched = _launch(run, instance.instance_key)
    instances.update(instance.instance_key, instance_id=launched["instance_id"], state=states.INST_PENDING,
                     launched_ms=now_ms())
    runs.update(run.run_id, launched_ms=launch_ms)  # the instance's cost counts from its launch request
    runs.advance(run.run_id, states.BOOTING, instance_id=launched["instance_id"])
    return {"instance_id": launched["instance_id"]}


def _claim_warm(run: Run) -> dict | None:
    """An instance of a matching pool, if one is there to take (the create found none, or failed to
    take it): then no launch. The pool keeper is asked to replace what was taken, without waiting."""
    pool = claims.matching_pool(run)
    instance = claims.claim(run, pool) if pool else None
    if instance is None:
        if pool:
            _replenish(run, pool)
        return None
    run = runs.update(run.run_id, instance_key=instance.instance_key, launched_ms=now_ms(), warm_pool=pool.name)
    runs.advance(run.run_id, states.BOOTING, instance_id=instance.instance_id)
    return _claimed(run, instance, pool)


def _claimed(run: Run, instance: Instance, pool: Pool | None = None) -> dict:
    """The run's pool instance: its command handed over if its agent is up (`warm`: the workflow goes
    straight on), then the run's id and deadline on its tags for whoever reads tags (best effort: the
    sweeper reads the claim from the record), and the keeper asked for a replacement (without waiting)."""
    warm = warm_start.start(run, instance)  # the command first: the rest is not on its way
    attempt("claim tags", provider.tag, run.region, instance.instance_id,
            {naming.TAG_RUN_ID: run.run_id, naming.TAG_DEADLINE: iso(run.deadline_ms)}, run_id=run.run_id)
    pool = pool or pools.get(run.owner, run.warm_pool)
    if pool:
        _replenish(run, pool)
    # instance_key: the embedded stack releases the idle agent's held poll on it (local/dispatch.py)
    return {"instance_id": instance.instance_id, "instance_key": instance.instance_key, "warm": warm,
            "pool": run.warm_pool}


def _replenish(run: Run, pool) -> None:
    """The keeper, asked to launch what the pool lacks now, without waiting for it."""
    attempt("pool keeper", keeper.ask, pool, run_id=run.run_id)


def _record_intent(run: Run) -> Instance:
    instance = Instance(instance_key="k" + naming.new_id(15), run_id=run.run_id, owner=run.owner, region=run.region,
                        instance_type=run.instance_type, spot=run.spot, state=states.REQUESTED, created_ms=now_ms(),
                        deadline_ms=run.deadline_ms)
    instances.create(instance)
    runs.update(run.run_id, instance_key=instance.instance_key)
    return instance


def _launch(run: Run, instance_key: str) -> dict:
    cfg, region = settings(), run.region
    token, token_hash = tokens.mint(instance_key)
    instances.add_token_hash(instance_key, token_hash)  # before the launch: the agent may call at once
    boot = provider.startup(region)
    join = membership.join(run.run_id)  # Tailscale, best effort; the record keeps the hostname, never the key
    if join:
        instances.update(instance_key, tailscale_hostname=join["hostname"])
    request = provider.LaunchRequest(
        region=region, instance_type=run.instance_type,
        image_id=run.image_id or provider.resolve_ami(region, run.version, run.arch), spot=run.spot,
        user_data=bootstrap.user_data(cfg.api_url, token, tailscale=join),
        client_token=naming.client_token(cfg.control_id, run.run_id),
        tags=naming.instance_tags(cfg.control_id, run.run_id, iso(run.deadline_ms)),
        security_group_id=boot["security_group_id"], key_name=boot["key_name"],
    )
    if run.spot_price is not None:
        instances.update(instance_key, spot_price=run.spot_price)
    return provider.launch(request)


def _record_price(run: Run) -> Run:
    """What the run pays per hour: the spot price now, else the on-demand list price (a spot run pays at
    most that); looked up once (a retry keeps it) and best effort: not knowing it never stops the launch
    (the cost shows as unknown)."""
    if run.price_source or run.deadline_ms is not None:
        return run
    if run.spot:
        price = attempt("spot price", provider.spot_price, run.region, run.instance_type, run_id=run.run_id)
        if price is not None:
            return runs.update(run.run_id, spot_price=price, price_usd_per_hour=price, price_source="spot")
    price = attempt("on-demand price", prices.on_demand, run.region, run.instance_type, run_id=run.run_id)
    return runs.update(run.run_id, price_usd_per_hour=price, price_source="on-demand") if price is not None else run
