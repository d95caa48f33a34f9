"""CheckRegistration: has the agent called in yet? Gives up at the boot timeout or the deadline."""
from functions.aws import provider
from functions.core import states
from functions.core.clock import now_ms
from functions.core.errors import BootTimeout
from functions.core.records import Instance
from functions.store import instances
from functions.lifecycle.best_effort import attempt
from functions.workflow.guards import load_active


def handler(event, _context=None) -> dict:
    run = load_active(event["run_id"])
    instance = instances.get(run.instance_key)
    if instance.registered_ms:
        _record_running(instance)
        return {"registered": True}
    limit_s = run.timings.boot_timeout_seconds
    if now_ms() - (instance.launched_ms or now_ms()) > limit_s * 1000:
        raise BootTimeout(f"the agent on {instance.instance_id} did not register within {limit_s} s of launch")
    return {"registered": False}


def _record_running(instance: Instance) -> None:
    """The agent is up, so the instance runs; its addresses are for `repl ssh` (best effort)."""
    address = attempt("instance address", provider.instance_address, instance.region, instance.instance_id,
                      instance_id=instance.instance_id) or {}
    instances.update(instance.instance_key, state=states.INST_RUNNING, **{k: v for k, v in address.items() if v})
