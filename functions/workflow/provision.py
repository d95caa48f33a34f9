"""Provision: record the instance, then launch it (two-phase spawn), idempotent when retried.

A run with several choices (functions/core/choices.py) moves to the next one at once when EC2 has no
capacity or refuses a launch; each try is an attempt on the run's record, its instance recorded first.
"""
from dataclasses import replace

from functions.aws import bootstrap, prices, provider
from functions.core import choices, costs, naming, states, tokens
from functions.core.clock import iso, now_ms
from functions.core.errors import AwsError, ThrottlingError
from functions.core.records import Attempt, Choice, Instance, Pool, Run
from functions.lifecycle import pool_claims as claims, pool_keeper as keeper, warm_start
from functions.observability import logger
from functions.settings import settings
from functions.store import instances, pools, runs
from functions.tailscale import membership
from functions.lifecycle.best_effort import attempt
from functions.workflow.guards import load_active


def handler(event, _context=None) -> dict:
    run = load_active(event["run_id"])
    if run.status == states.PENDING:  # not a run its create (or a try before this one) gave an instance
        runs.advance(run.run_id, states.PROVISIONING)
    if not run.attempts:  # its first choice: a pool's instance, or the first launch
        run = _record_price(run)
    # max-duration counts from here, the launch request (kept if a claim at create or a try set it)
    run = runs.start_clock(run.run_id, costs.deadline_ms(run, run.price_usd_per_hour, now_ms()))
    instance = instances.get(run.instance_key) if run.instance_key else None
    if instance is None and not run.attempts:
        warm = _claim_warm(run)
        if warm:
            return warm
    if instance and instance.instance_id and run.warm_pool:  # claimed at create, or by a try before this one
        return _claimed(run, instance)
    if instance and instance.instance_id:  # a retry after the launch was recorded
        return {"instance_id": instance.instance_id}
    return _launch_somewhere(run)


def _launch_somewhere(run: Run) -> dict:
    """The next choice's launch, and the next one's when it fails (a throttled call is the workflow's to
    retry: the same attempt goes on). A spent round ends in the error the workflow backs off on."""
    errors: list[AwsError] = []
    while True:
        current = run.attempts[-1] if run.attempts and run.attempts[-1].outcome == choices.LAUNCHING else None
        if current is None:
            pick = choices.next_pick(run, fresh=not errors)
            if pick is None:
                raise choices.round_spent(run, errors)
            run, current = _begin(run, *pick)
        launch_ms = now_ms()
        try:
            launched = _launch(run, current)
        except ThrottlingError:
            raise
        except AwsError as err:
            errors.append(err)
            run = _failed(run, current, err)
            continue
        instances.update(current.instance_key, instance_id=launched["instance_id"], state=states.INST_PENDING,
                         launched_ms=now_ms())
        runs.update(run.run_id, launched_ms=launch_ms,  # the instance's cost counts from its launch request
                    attempts=_replaced(run, replace(current, outcome=choices.LAUNCHED,
                                                    instance_id=launched["instance_id"])))
        runs.advance(run.run_id, states.BOOTING, instance_id=launched["instance_id"])
        return {"instance_id": launched["instance_id"]}


def _begin(run: Run, index: int, round_: int) -> tuple[Run, Attempt]:
    """A new attempt of choice `index`: its instance recorded (before RunInstances), the run's region, type
    and market now the choice's, priced again when they changed."""
    choice = run.options[index]
    if run.attempts and choice != Choice(run.region, run.instance_type, run.spot):
        run = _price_choice(run, choice)
    new = Attempt(number=len(run.attempts) + 1, round=round_, choice=index, region=choice.region,
                  instance_type=choice.instance_type, spot=choice.spot, started_ms=now_ms(),
                  outcome=choices.LAUNCHING, instance_key="k" + naming.new_id(15))
    instances.create(Instance(instance_key=new.instance_key, run_id=run.run_id, owner=run.owner, region=choice.region,
                              instance_type=choice.instance_type, spot=choice.spot, state=states.REQUESTED,
                              created_ms=now_ms(), deadline_ms=run.deadline_ms))
    run = runs.update(run.run_id, instance_key=new.instance_key, region=choice.region,
                      instance_type=choice.instance_type, spot=choice.spot, attempts=run.attempts + (new,))
    if new.number > 1:
        logger.info("trying the next choice", extra={"run_id": run.run_id, "attempt": new.number,
                                                      "choice": choices.describe(new)})
    return run, new


def _failed(run: Run, current: Attempt, err: AwsError) -> Run:
    """The attempt launched nothing (EC2 said no): its record ends, the reason stays on the attempt."""
    instances.update(current.instance_key, state=states.TERMINATED, terminated_ms=now_ms())
    ended = replace(current, outcome=choices.outcome_of(err), reason=err.message)
    logger.info("launch refused", extra={"run_id": run.run_id, "attempt": current.number,
                                         "choice": choices.describe(current), "outcome": ended.outcome})
    return runs.update(run.run_id, attempts=_replaced(run, ended))


def _replaced(run: Run, attempt_: Attempt) -> tuple[Attempt, ...]:
    return tuple(attempt_ if a.number == attempt_.number else a for a in run.attempts)


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


def _launch(run: Run, current: Attempt) -> dict:
    cfg, region, instance_key = settings(), run.region, current.instance_key
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
        client_token=naming.client_token(cfg.control_id, run.run_id, current.number),
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
    return _price_choice(run, Choice(run.region, run.instance_type, run.spot))


def _price_choice(run: Run, choice: Choice) -> Run:
    """The price of a choice, recorded on the run; a max cost's deadline comes sooner if it costs more."""
    spot = (attempt("spot price", provider.spot_price, choice.region, choice.instance_type, run_id=run.run_id)
            if choice.spot else None)
    price = spot if spot is not None else attempt("on-demand price", prices.on_demand, choice.region,
                                                  choice.instance_type, run_id=run.run_id)
    fields = {"spot_price": spot, "price_usd_per_hour": price,
              "price_source": None if price is None else "spot" if spot is not None else "on-demand"}
    if run.deadline_ms is not None and run.max_cost_usd is not None:
        fields["deadline_ms"] = min(run.deadline_ms, costs.deadline_ms(run, price, now_ms()))
    if run.spot_price is None and price is None and run.price_source is None:
        return run
    return runs.update(run.run_id, **fields)
