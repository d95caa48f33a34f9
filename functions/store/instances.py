"""The Instances table: the record of each instance we launch, written before RunInstances.

It also holds the agent's event queue (`events`, a short list: start_run, cancel_run) and the
SHA-256 of every token minted for the instance (a retried Provision mints another; EC2's
ClientToken may hand back the first launch, whose user-data carries the first token).
"""
from boto3.dynamodb.conditions import Key

from functions.core.clock import iso
from functions.store import tables
from functions.store.items import all_pages, condition_held, plain, update_expression

PUBLIC_FIELDS = ("instance_id", "run_id", "region", "instance_type", "spot", "spot_price", "state", "public_ip",
                 "tailscale_hostname")


def create(item: dict) -> None:
    condition_held(lambda: tables.instances().put_item(Item=item,
                                                       ConditionExpression="attribute_not_exists(instance_key)"))


def get(instance_key: str) -> dict | None:
    item = tables.instances().get_item(Key={"instance_key": instance_key}, ConsistentRead=True).get("Item")
    return plain(item) if item else None


def update(instance_key: str, **fields) -> dict:
    return plain(tables.instances().update_item(Key={"instance_key": instance_key}, ReturnValues="ALL_NEW",
                                                **update_expression(fields))["Attributes"])


def add_token_hash(instance_key: str, token_hash: str) -> None:
    tables.instances().update_item(
        Key={"instance_key": instance_key},
        UpdateExpression="SET token_hashes = list_append(if_not_exists(token_hashes, :empty), :h)",
        ExpressionAttributeValues={":empty": [], ":h": [token_hash]},
    )


def push_event(instance_key: str, event_type: str, data: dict) -> int:
    """Append an event for the agent; ids are 1, 2, 3… per instance."""
    table = tables.instances()
    new = table.update_item(Key={"instance_key": instance_key}, UpdateExpression="ADD next_event_id :one",
                            ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")
    event_id = int(new["Attributes"]["next_event_id"])
    table.update_item(
        Key={"instance_key": instance_key},
        UpdateExpression="SET events = list_append(if_not_exists(events, :empty), :e)",
        ExpressionAttributeValues={":empty": [], ":e": [{"id": event_id, "type": event_type, "data": data}]},
    )
    return event_id


def events_after(instance: dict, last_id: int) -> list:
    return sorted((e for e in instance.get("events", []) if e["id"] > last_id), key=lambda e: e["id"])


def list_owned(owner: str, include_ended: bool) -> list:
    items = all_pages(tables.instances().query, IndexName="by_owner", KeyConditionExpression=Key("owner").eq(owner),
                      ScanIndexForward=False)
    return [plain(i) for i in items if include_ended or i.get("state") != "terminated"]


def to_api(instance: dict) -> dict:
    out = {f: instance.get(f) for f in PUBLIC_FIELDS}
    out.update(launched_at=iso(instance.get("launched_ms")), terminated_at=iso(instance.get("terminated_ms")))
    return out
