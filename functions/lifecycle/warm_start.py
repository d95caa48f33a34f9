"""A warm start: a run that matches a pool takes an idle instance as it is created, and its command is
handed over in the same request, with no Step Functions hop and no Provision before it (decision 55).
Provision, started just after, finds the run claimed and does what is left (the claim's tags, the
keeper asked for a replacement), as it does when it is retried after its own claim.

The create's claim is a shortcut only: whatever goes wrong in it, Provision does the same work again
(pool_claims.claim gives a run the instance it has already claimed; the command goes once)."""
import dataclasses

from functions.aws.run_start import start_run_event
from functions.core import costs, states
from functions.core.clock import now_ms
from functions.core.records import Instance, Pool, Run
from functions.lifecycle import pool_claims as claims
from functions.observability import logger
from functions.store import instances, runs


def at_create(run: Run) -> tuple[Run, Instance | None]:
    """The new run, holding an instance of a matching pool if one was there to take, and that instance;
    else the run as it was, for Provision to claim or launch."""
    try:
        pool = claims.matching_pool(run)
        return _take(run, pool) if pool else (run, None)
    except Exception:  # noqa: BLE001 - Provision claims (the same instance, if this one got that far)
        logger.exception("the claim at create failed; Provision claims instead", extra={"run_id": run.run_id})
        return runs.get(run.run_id) or run, None


def _take(run: Run, pool: Pool) -> tuple[Run, Instance | None]:
    """The claim with the deadline it sets (max-duration counts from the claim, the run's launch) and
    the price of the pool's instances: no price lookup on the way to the command."""
    now = now_ms()
    price = pool.price_usd_per_hour
    deadline = costs.deadline_ms(run, price, now)
    instance = claims.claim(dataclasses.replace(run, deadline_ms=deadline), pool)
    if instance is None:
        return run, None
    priced = {} if price is None else {"price_usd_per_hour": price, "price_source": "spot" if pool.spot else "on-demand",
                                       **({"spot_price": price} if pool.spot else {})}
    fields = dict(instance_id=instance.instance_id, instance_key=instance.instance_key, launched_ms=now,
                  warm_pool=pool.name, deadline_ms=deadline, **priced)
    if runs.advance(run.run_id, states.BOOTING, **fields):
        return dataclasses.replace(run, status=states.BOOTING, **fields), instance
    return runs.get(run.run_id) or run, instance  # ended (a replay of a run the reconciler ended): Provision sees


def hand_over(run: Run, instance: Instance | None) -> None:
    """At create, once the run's workflow is started: the claimed instance's agent gets the command."""
    if instance is None or not run.warm_pool:
        return
    try:
        start(run, instance)
    except Exception:  # noqa: BLE001 - Provision hands it over (its start claim says whether it must)
        logger.exception("the hand-over at create failed; Provision hands over", extra={"run_id": run.run_id})


def start(run: Run, instance: Instance) -> bool:
    """The claimed instance's command (`run` has its deadline), pushed if its agent is up (else its
    registration hands it over); whether the agent is up. Once, though Provision (or the create, then
    Provision) may come between the two writes: the first claim of the start, or the event already
    queued, says it has been done."""
    warm = instance.registered_ms is not None
    if not warm or any(e.type == "start_run" for e in instance.events):
        return warm
    if runs.claim_start(run.run_id, now_ms()):
        instances.push_event(instance.instance_key, "start_run", start_run_event(run))
        return warm
    # not claimed: cancelled, or claimed by the first try, which may have stopped before its push
    current = runs.get(run.run_id)
    if current.start_sent_ms is not None and current.started_ms is None:
        instances.push_event(instance.instance_key, "start_run", start_run_event(current))
    return warm
