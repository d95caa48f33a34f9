"""Snapshot use cases: create one from a running run (or its instance), follow, list, delete; and the
image a run launches from (`repl run --snapshot`)."""
import dataclasses
from contextlib import contextmanager

from functions.api.views import snapshot_view
from functions.aws import snapshots as ec2_images
from functions.core import snapshots as core
from functions.core import states
from functions.core.clock import now_ms
from functions.core.errors import Conflict, Invalid, NameTaken, NotFound, ResourceStateConflict
from functions.core.records import Run, Snapshot
from functions.core.requests import RunRequest
from functions.core.specs import DEFAULT_TYPES, Spec, parse_spec
from functions.settings import settings
from functions.store import instances, runs
from functions.store import snapshots as store

# A new image may not be visible to DescribeImages at once (EC2 is eventually consistent): until this
# old, an image not found is still pending rather than failed.
NEW_IMAGE_GRACE_MS = 120_000


def create(owner: str, body) -> dict:
    source, name = core.parse_create(body)
    run, instance_id = _running_source(owner, source)
    created, control_id = now_ms(), settings().control_id
    name = name or core.default_name(control_id, run.run_id, created)
    with _ec2("source"):
        image_id = ec2_images.create_image(run.region, instance_id, name, core.image_tags(control_id, run.run_id, name))
    snapshot = Snapshot(snapshot_id=image_id, owner=owner, name=name, state=core.PENDING, region=run.region,
                        arch=run.arch, source_run=run.run_id, source_instance=instance_id, created_ms=created)
    store.create(snapshot)
    return {"snapshot": snapshot_view(snapshot)}


def get(owner: str, snapshot_id: str) -> dict:
    return {"snapshot": snapshot_view(_current(owner, snapshot_id, "snapshot_id"))}


def list_owned(owner: str) -> dict:
    """Pending snapshots are looked up again: this is how one is followed until it is available."""
    return {"snapshots": [snapshot_view(_refresh(s) if s.state == core.PENDING else s)
                          for s in store.list_owned(owner)]}


def delete(owner: str, snapshot_id: str) -> dict:
    snapshot = _refresh(store.get_owned(snapshot_id, owner))  # records its EBS snapshot ids first
    with _ec2("snapshot_id"):
        deleted = ec2_images.delete_image(snapshot.region, snapshot_id, snapshot.ebs_snapshot_ids)
    store.delete(snapshot_id)
    return {"deleted": snapshot_id, "snapshot_ids": deleted}


def _current(owner: str, snapshot_id: str, field: str) -> Snapshot:
    snapshot = store.get_owned(snapshot_id, owner, field)
    return _refresh(snapshot) if snapshot.state == core.PENDING else snapshot


def launch_from(owner: str, req: RunRequest) -> tuple[RunRequest, str]:
    """The run request completed from its snapshot (region, arch, a default spec) and the image to launch."""
    region, spec = completed_from(owner, req.snapshot, req.region, req.spec)
    return dataclasses.replace(req, region=region, spec=spec), req.snapshot


def completed_from(owner: str, snapshot_id: str, region: str | None, spec: Spec | None,
                   field: str = "snapshot") -> tuple[str, Spec]:
    """(region, spec) for what launches from this snapshot (a run, a pool's instances): the snapshot's
    region and a spec of its arch; 4xx if it is not the caller's, not available, or they differ."""
    snapshot = _current(owner, snapshot_id, field)
    if snapshot.state != core.AVAILABLE:
        hint = "; wait for it: repl snapshot list" if snapshot.state == core.PENDING else ""
        raise Conflict(f"{field}: {snapshot_id} is {snapshot.state}, not available{hint}", field=field)
    arch = snapshot.arch
    if region not in (None, snapshot.region):
        raise Invalid(f"{field}: {snapshot_id} is in {snapshot.region}, not {region}; images are regional: "
                      f"drop --region or use {snapshot.region}", field=field)
    if spec and spec.arch != arch:
        raise Invalid(f"{field}: {snapshot_id} is {arch}, but spec {spec.text} is {spec.arch}; "
                      f"use a {arch} spec, or none ({DEFAULT_TYPES[arch]})", field=field)
    return snapshot.region, spec or parse_spec(DEFAULT_TYPES[arch])


def _running_source(owner: str, source: str) -> tuple[Run, str]:
    """The run and the instance to image: the source must be the caller's, and running now."""
    run, what, instance_gone = _source(owner, source)
    if instance_gone or run.ended:
        raise Conflict(f"source: {what} has ended ({run.status}) and its instance is terminated; "
                       "only a running run's instance can be snapshotted", field="source")
    if run.status != states.RUNNING or not run.instance_id:
        raise Conflict(f"source: {what} is {run.status}: its instance is not running yet; "
                       "try again once the run is running", field="source")
    return run, run.instance_id


def _source(owner: str, source: str) -> tuple[Run, str, bool]:
    """(run, how to name the source, whether its instance is gone); 404 unless it is the caller's."""
    run, instance = None, None
    if core.is_instance_id(source):
        instance = next((i for i in instances.list_owned(owner, True) if i.instance_id == source), None)
        run = runs.get(instance.run_id) if instance else None
    else:
        run = runs.get(source)
    what = f"instance {source}" if instance or core.is_instance_id(source) else f"run {source}"
    if not run or run.owner != owner:  # another owner's run or instance does not exist for this caller
        raise NotFound(f"source: {what} not found", field="source")
    return run, what, bool(instance) and instance.gone


def _refresh(snapshot: Snapshot) -> Snapshot:
    with _ec2("snapshot_id"):
        found = ec2_images.image_state(snapshot.region, snapshot.snapshot_id)
    if found is None and now_ms() - snapshot.created_ms < NEW_IMAGE_GRACE_MS:
        return snapshot
    fields = {"state": core.state_of(found and found["state"])}
    if found:
        fields.update(ebs_snapshot_ids=tuple(found["snapshot_ids"]) or snapshot.ebs_snapshot_ids,
                      arch=core.ARCH_OF_EC2.get(found["architecture"], snapshot.arch))
    if all(getattr(snapshot, k) == v for k, v in fields.items()):
        return snapshot
    return store.update(snapshot.snapshot_id, **fields)


@contextmanager
def _ec2(field: str):
    """EC2's refusals that are the caller's to fix, as 409s: a state EC2 will not image, a name taken.
    Any other AWS error goes up as it is (its own status and advice)."""
    try:
        yield
    except ResourceStateConflict as err:
        raise Conflict(f"{field}: EC2 cannot image this instance now ({err})", field=field) from err
    except NameTaken as err:  # image names are unique per account and region
        raise Conflict(f"name: an image of this name already exists ({err}); choose another --name",
                       field="name") from err
