"""Small shared state with an optional expiry (moto never expires TTL items, nor promptly does AWS)."""
import time

from functions.store import tables
from functions.store.codec import encode_value, plain
from functions.store.items import all_pages


def get(key: str) -> dict | None:
    item = tables.kv().get_item(Key={"key": key}, ConsistentRead=True).get("Item")
    if not item or ("expires_at" in item and int(item["expires_at"]) <= time.time()):
        return None
    return plain(item.get("value"))


def put(key: str, value: dict, ttl_seconds: int | None = None) -> None:
    item = {"key": key, "value": encode_value(value)}
    if ttl_seconds is not None:
        item["expires_at"] = int(time.time()) + ttl_seconds
    tables.kv().put_item(Item=item)


def keys(prefix: str) -> list:
    """Every key starting with prefix (the table holds a few hundred small items: a scan is fine)."""
    items = all_pages(tables.kv().scan, ProjectionExpression="#k", ExpressionAttributeNames={"#k": "key"})
    return [item["key"] for item in items if item["key"].startswith(prefix)]


def delete_prefix(prefix: str) -> int:
    found = keys(prefix)
    for key in found:
        tables.kv().delete_item(Key={"key": key})
    return len(found)
