"""The Snapshots table: one item per AMI snapshot, keyed by the AMI id; only this module knows its layout."""
from boto3.dynamodb.conditions import Key

from functions.core.errors import NotFound
from functions.store import tables
from functions.store.items import all_pages, plain, update_expression

PUBLIC_FIELDS = ("name", "state", "region", "arch", "source_run", "source_instance", "created_at")


def create(item: dict) -> None:
    tables.snapshots().put_item(Item=item, ConditionExpression="attribute_not_exists(snapshot_id)")


def get(snapshot_id: str) -> dict | None:
    item = tables.snapshots().get_item(Key={"snapshot_id": snapshot_id}, ConsistentRead=True).get("Item")
    return plain(item) if item else None


def get_owned(snapshot_id: str, owner: str, field: str = "snapshot_id") -> dict:
    snapshot = get(snapshot_id)
    if not snapshot or snapshot.get("owner") != owner:  # another owner's snapshot does not exist for this caller
        raise NotFound(f"{field}: {snapshot_id} is not one of your snapshots", field=field)
    return snapshot


def list_owned(owner: str) -> list:
    """Every snapshot of this owner, newest first (a user keeps a handful: no paging in the API)."""
    return [plain(i) for i in all_pages(tables.snapshots().query, IndexName="by_owner",
                                        KeyConditionExpression=Key("owner").eq(owner), ScanIndexForward=False)]


def update(snapshot_id: str, **fields) -> dict:
    return plain(tables.snapshots().update_item(Key={"snapshot_id": snapshot_id}, ReturnValues="ALL_NEW",
                                                **update_expression(fields))["Attributes"])


def delete(snapshot_id: str) -> None:
    tables.snapshots().delete_item(Key={"snapshot_id": snapshot_id})


def to_api(snapshot: dict) -> dict:
    return {"id": snapshot["snapshot_id"], **{f: snapshot.get(f) for f in PUBLIC_FIELDS}}
