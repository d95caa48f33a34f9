"""Provision: record the instance, then launch it (two-phase spawn), idempotent when retried."""
from functions.aws import bootstrap, provider
from functions.core import naming, states, tokens
from functions.core.clock import iso, now_ms
from functions.core.records import Instance, Run
from functions.settings import settings
from functions.store import instances, runs
from functions.tailscale import membership
from functions.workflow.best_effort import attempt
from functions.workflow.guards import load_active


def handler(event, _context=None) -> dict:
    run = load_active(event["run_id"])
    runs.advance(run.run_id, states.PROVISIONING)
    # Max-duration counts from here, the launch request: time queued before never times a run out.
    run = runs.start_clock(run.run_id, now_ms() + run.max_duration_ms)
    instance = instances.get(run.instance_key) if run.instance_key else None
    instance = instance or _record_intent(run)
    if instance.instance_id:  # a retry after the launch was recorded
        return {"instance_id": instance.instance_id}
    launched = _launch(run, instance.instance_key)
    instances.update(instance.instance_key, instance_id=launched["instance_id"], state=states.INST_PENDING,
                     launched_ms=now_ms())
    runs.advance(run.run_id, states.BOOTING, instance_id=launched["instance_id"])
    return {"instance_id": launched["instance_id"]}


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
    _record_spot_price(run, instance_key)
    return provider.launch(request)


def _record_spot_price(run: Run, instance_key: str) -> None:
    """What a spot run pays now (USD/hour), for the user to see; not knowing it never stops the launch."""
    if not run.spot:
        return
    price = attempt("spot price", provider.spot_price, run.region, run.instance_type, run_id=run.run_id)
    if price is not None:
        runs.update(run.run_id, spot_price=price)
        instances.update(instance_key, spot_price=price)
