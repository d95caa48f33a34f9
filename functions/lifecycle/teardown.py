"""Terminate a run's instances and confirm it with EC2 before anyone calls the run ended."""
from functions.aws import provider, run_env
from functions.core import states
from functions.core.clock import now_ms
from functions.core.errors import TerminationNotConfirmed
from functions.core.records import Instance, Run
from functions.settings import settings
from functions.store import instances, runs
from functions.tailscale import membership

GONE = ("shutting-down", "terminated")
# DescribeInstances stops listing a terminated instance after a while; an id it has never shown
# (eventual consistency right after launch) is only taken as gone once this much time has passed.
UNKNOWN_IS_GONE_AFTER_MS = 10 * 60_000


def terminate_and_confirm(run: Run) -> list:
    instance = _instance(run)
    if instance and instance.spot_request_id:  # a spot pool's: cancelled first, or EC2 replaces the instance
        provider.cancel_spot_request(run.region, instance.spot_request_id)
    ended, unconfirmed = [], []
    for region in regions_tried(run):
        ids = {i["instance_id"] for i in provider.find_run_instances(region, settings().control_id, run.run_id)}
        # also found by tag: a lost launch answer leaves no record
        ids |= {a.instance_id for a in run.attempts if a.region == region and a.instance_id}
        if instance and instance.instance_id and region == run.region:
            ids.add(instance.instance_id)
        for instance_id in sorted(ids):
            provider.terminate(region, instance_id)
        unconfirmed += [i for i in sorted(ids) if not _gone(region, i, instance)]
        ended += sorted(ids)
    if unconfirmed:
        raise TerminationNotConfirmed(f"EC2 does not show {', '.join(unconfirmed)} shutting down yet")
    record_gone(run)
    return ended


def regions_tried(run: Run) -> list[str]:
    """Where the run may have an instance: its region now, then every other one an attempt named."""
    return list(dict.fromkeys([run.region, *(a.region for a in run.attempts)]))


def record_gone(run: Run) -> None:
    """The run's instance is known to be gone: what it used is released and its end recorded. (Also
    for the embedded stack, whose emulated instances die with its daemon: local/recovery.py.)"""
    instance = _instance(run)
    if run.env_names:  # nothing runs any more that could need them
        run_env.forget(run.run_id)
    if run.terminated_ms is None:
        runs.update(run.run_id, terminated_ms=now_ms())
    if instance:
        instances.update(instance.instance_key, state=states.TERMINATED, terminated_ms=now_ms())
        if instance.tailscale_hostname:  # best effort: an ephemeral device leaves on its own anyway
            membership.leave(instance.tailscale_hostname)


def terminate_by_tag(run_id: str) -> list:
    """The run's record is gone: find its instances by their skyrepl:run-id tag in every region in
    use, terminate and confirm them. (Without the record, the region is unknown.)"""
    found = []
    for region in provider.regions_in_use():
        ids = sorted(i["instance_id"] for i in provider.find_run_instances(region, settings().control_id, run_id))
        for instance_id in ids:
            provider.terminate(region, instance_id)
        unconfirmed = [i for i in ids if not _gone(region, i, None)]
        if unconfirmed:
            raise TerminationNotConfirmed(f"EC2 does not show {', '.join(unconfirmed)} shutting down yet")
        found += ids
    run_env.forget(run_id)
    if found:  # the record that named its device is gone: the name is the run's (repl-<run-id>)
        leave_tailnet(device_of(run_id))
    return found


def device_of(run_id: str, instance: Instance | None = None) -> str | None:
    """The tailnet name of a run's instance: its record's (a pool's instance joined as repl-<instance key>),
    else the one Provision gives (repl-<run-id>: an orphan's run-id tag is all there is)."""
    return (instance and instance.tailscale_hostname) or (membership.hostname(run_id) if run_id else None)


def leave_tailnet(*devices: str | None) -> list:
    """These devices removed, in one listing; best effort: a Tailscale outage logs a warning and fails
    nothing (an ephemeral device leaves on its own anyway)."""
    return membership.leave(*devices)


def _instance(run: Run) -> Instance | None:
    return instances.get(run.instance_key) if run.instance_key else None


def _gone(region: str, instance_id: str, record: Instance | None) -> bool:
    state = provider.instance_state(region, instance_id)
    if state is not None:
        return state in GONE
    launched = (record and record.launched_ms) or 0
    return now_ms() - launched > UNKNOWN_IS_GONE_AFTER_MS
