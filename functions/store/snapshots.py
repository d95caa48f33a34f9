"""The Snapshots table: one item per AMI snapshot (a core Snapshot), keyed by the AMI id; only this
module knows its layout."""
from boto3.dynamodb.conditions import Key

from functions.core.clock import iso
from functions.core.errors import NotFound
from functions.core.records import Snapshot
from functions.store import tables
from functions.store.codec import check_fields, decode, encode
from functions.store.items import all_pages, update_expression


def create(snapshot: Snapshot) -> None:
    item = {**encode(snapshot), "created_at": iso(snapshot.created_ms)}  # the by_owner index's sort key
    tables.snapshots().put_item(Item=item, ConditionExpression="attribute_not_exists(snapshot_id)")


def get(snapshot_id: str) -> Snapshot | None:
    item = tables.snapshots().get_item(Key={"snapshot_id": snapshot_id}, ConsistentRead=True).get("Item")
    return decode(Snapshot, item) if item else None


def get_owned(snapshot_id: str, owner: str, field: str = "snapshot_id") -> Snapshot:
    snapshot = get(snapshot_id)
    if not snapshot or snapshot.owner != owner:  # another owner's snapshot does not exist for this caller
        raise NotFound(f"{field}: {snapshot_id} is not one of your snapshots", field=field)
    return snapshot


def list_owned(owner: str) -> list[Snapshot]:
    """Every snapshot of this owner, newest first (a user keeps a handful: no paging in the API)."""
    return [decode(Snapshot, i) for i in all_pages(tables.snapshots().query, IndexName="by_owner",
                                                   KeyConditionExpression=Key("owner").eq(owner),
                                                   ScanIndexForward=False)]


def every() -> list[Snapshot]:
    """All of them, every owner's (a scan: the embedded stack registers their images again at start)."""
    return [decode(Snapshot, i) for i in all_pages(tables.snapshots().scan)]


def update(snapshot_id: str, **fields) -> Snapshot:
    check_fields(Snapshot, fields)
    return decode(Snapshot, tables.snapshots().update_item(Key={"snapshot_id": snapshot_id}, ReturnValues="ALL_NEW",
                                                           **update_expression(fields))["Attributes"])


def delete(snapshot_id: str) -> None:
    tables.snapshots().delete_item(Key={"snapshot_id": snapshot_id})
