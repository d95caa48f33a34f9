"""Snapshot use cases: create one from a running run (or its instance), follow, list, delete; and the
image a run launches from (`repl run --snapshot`)."""
import dataclasses
from contextlib import contextmanager

from functions.aws import snapshots as ec2_images
from functions.core import snapshots as core
from functions.core import states
from functions.core.clock import iso, now_ms, parse_iso
from functions.core.errors import Conflict, DomainError, Invalid, NotFound, WorkflowError
from functions.core.requests import RunRequest
from functions.core.specs import DEFAULT_TYPES, parse_spec
from functions.settings import settings
from functions.store import instances, runs
from functions.store import snapshots as store

# EC2's answers that mean "this instance cannot be imaged now" rather than a fault of ours
NOT_IMAGEABLE = {"IncorrectState", "IncorrectInstanceState", "InvalidInstanceID.NotFound"}
# A new image may not be visible to DescribeImages at once (EC2 is eventually consistent): until this
# old, an image not found is still pending rather than failed.
NEW_IMAGE_GRACE_MS = 120_000


def create(owner: str, body) -> dict:
    source, name = core.parse_create(body)
    run, instance_id = _running_source(owner, source)
    created, control_id = now_ms(), settings().control_id
    name = name or core.default_name(control_id, run["run_id"], created)
    with _ec2("source"):
        image_id = ec2_images.create_image(run["region"], instance_id, name,
                                           core.image_tags(control_id, run["run_id"], name))
    item = {"snapshot_id": image_id, "owner": owner, "name": name, "state": core.PENDING,
            "region": run["region"], "arch": run["arch"], "source_run": run["run_id"],
            "source_instance": instance_id, "snapshot_ids": [], "created_at": iso(created)}
    store.create(item)
    return item


def get(owner: str, snapshot_id: str, field: str = "snapshot_id") -> dict:
    snapshot = store.get_owned(snapshot_id, owner, field)
    return _refresh(snapshot) if snapshot["state"] == core.PENDING else snapshot


def list_owned(owner: str) -> list:
    """Pending snapshots are looked up again: this is how one is followed until it is available."""
    return [_refresh(s) if s["state"] == core.PENDING else s for s in store.list_owned(owner)]


def delete(owner: str, snapshot_id: str) -> dict:
    snapshot = _refresh(store.get_owned(snapshot_id, owner))  # records its EBS snapshot ids first
    with _ec2("snapshot_id"):
        deleted = ec2_images.delete_image(snapshot["region"], snapshot_id, tuple(snapshot.get("snapshot_ids", ())))
    store.delete(snapshot_id)
    return {"deleted": snapshot_id, "snapshot_ids": deleted}


def launch_from(owner: str, req: RunRequest) -> tuple[RunRequest, str]:
    """The run request completed from its snapshot (region, arch, a default spec) and the image to launch."""
    snapshot = get(owner, req.snapshot, field="snapshot")
    if snapshot["state"] != core.AVAILABLE:
        hint = "; wait for it: repl snapshot list" if snapshot["state"] == core.PENDING else ""
        raise Conflict(f"snapshot: {req.snapshot} is {snapshot['state']}, not available{hint}", field="snapshot")
    region, arch = snapshot["region"], snapshot["arch"]
    if req.region not in (None, region):
        raise Invalid(f"snapshot: {req.snapshot} is in {region}, not {req.region}; images are regional: "
                      f"drop --region or use {region}", field="snapshot")
    if req.spec and req.spec.arch != arch:
        raise Invalid(f"snapshot: {req.snapshot} is {arch}, but spec {req.spec.text} is {req.spec.arch}; "
                      f"use a {arch} spec, or none ({DEFAULT_TYPES[arch]})", field="snapshot")
    return dataclasses.replace(req, region=region, spec=req.spec or parse_spec(DEFAULT_TYPES[arch])), req.snapshot


def _running_source(owner: str, source: str) -> tuple[dict, str]:
    """The run and the instance to image: the source must be the caller's, and running now."""
    run, what, instance_gone = _source(owner, source)
    if instance_gone or states.is_terminal(run["status"]):
        raise Conflict(f"source: {what} has ended ({run['status']}) and its instance is terminated; "
                       "only a running run's instance can be snapshotted", field="source")
    if run["status"] != states.RUNNING or not run.get("instance_id"):
        raise Conflict(f"source: {what} is {run['status']}: its instance is not running yet; "
                       "try again once the run is running", field="source")
    return run, run["instance_id"]


def _source(owner: str, source: str) -> tuple[dict, str, bool]:
    """(run, how to name the source, whether its instance is gone); 404 unless it is the caller's."""
    run, instance = None, None
    if core.is_instance_id(source):
        instance = next((i for i in instances.list_owned(owner, True) if i.get("instance_id") == source), None)
        run = runs.get(instance["run_id"]) if instance else None
    else:
        run = runs.get(source)
    what = f"instance {source}" if instance or core.is_instance_id(source) else f"run {source}"
    if not run or run.get("owner") != owner:  # another owner's run or instance does not exist for this caller
        raise NotFound(f"source: {what} not found", field="source")
    return run, what, bool(instance) and instance.get("state") in (states.TERMINATING, states.TERMINATED)


def _refresh(snapshot: dict) -> dict:
    with _ec2("snapshot_id"):
        found = ec2_images.image_state(snapshot["region"], snapshot["snapshot_id"])
    if found is None and now_ms() - parse_iso(snapshot["created_at"]) < NEW_IMAGE_GRACE_MS:
        return snapshot
    fields = {"state": core.state_of(found and found["state"])}
    if found:
        fields.update(snapshot_ids=found["snapshot_ids"] or snapshot.get("snapshot_ids", []),
                      arch=core.ARCH_OF_EC2.get(found["architecture"], snapshot["arch"]))
    if all(snapshot.get(k) == v for k, v in fields.items()):
        return snapshot
    return store.update(snapshot["snapshot_id"], **fields)


@contextmanager
def _ec2(field: str):
    """EC2's refusals as API errors: a state EC2 will not image, or a name taken, is a 409; anything else
    a 500 that says why."""
    try:
        yield
    except WorkflowError as err:
        code = getattr(err, "aws_code", None)
        if code in NOT_IMAGEABLE:
            raise Conflict(f"{field}: EC2 cannot image this instance now ({err})", field=field) from err
        if code == "InvalidAMIName.Duplicate":  # image names are unique per account and region
            raise Conflict(f"name: an image of this name already exists ({err}); choose another --name",
                           field="name") from err
        raise DomainError(f"EC2: {err}") from err
