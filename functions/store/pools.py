"""The Pools table: one item per warm pool (a core Pool), keyed by owner and name; only this module
knows its layout."""
from boto3.dynamodb.conditions import Key

from functions.core.clock import now_ms
from functions.core.records import Pool
from functions.store import tables
from functions.store.codec import check_fields, decode, encode
from functions.store.items import all_pages, condition_held, update_expression


def create(pool: Pool) -> bool:
    """False if the owner has a pool of that name already (nothing written)."""
    return condition_held(lambda: tables.pools().put_item(Item=encode(pool),
                                                          ConditionExpression="attribute_not_exists(#n)",
                                                          ExpressionAttributeNames={"#n": "name"}))


def get(owner: str, name: str) -> Pool | None:
    item = tables.pools().get_item(Key={"owner": owner, "name": name}, ConsistentRead=True).get("Item")
    return decode(Pool, item) if item else None


def list_owned(owner: str) -> list[Pool]:
    return [decode(Pool, i) for i in all_pages(tables.pools().query, KeyConditionExpression=Key("owner").eq(owner))]


def every() -> list[Pool]:
    """Every owner's pools (a scan of a small table: the keeper's tick and the sweeper look at all)."""
    return [decode(Pool, i) for i in all_pages(tables.pools().scan)]


def update(pool: Pool, **fields) -> Pool | None:
    """The pool with these fields, unless it was deleted (or deleted and made again) meanwhile: None."""
    check_fields(Pool, fields)
    kwargs = update_expression(fields)
    kwargs["ExpressionAttributeValues"][":id"] = pool.pool_id
    answer = {}

    def write():
        answer.update(tables.pools().update_item(Key={"owner": pool.owner, "name": pool.name}, ReturnValues="ALL_NEW",
                                                 ConditionExpression="pool_id = :id", **kwargs))
    return decode(Pool, answer["Attributes"]) if condition_held(write) else None


def delete(pool: Pool) -> None:
    tables.pools().delete_item(Key={"owner": pool.owner, "name": pool.name})



def used(pool: Pool, now: int) -> None:
    """A run matched it (claimed or not): the idle timeout starts again, and a dormant pool fills."""
    _set_if_same(pool, "used_ms", now)


def want(pool: Pool, now: int) -> None:
    """Ask for a keep (written before trying the lease: the holder sees it when it releases)."""
    _set_if_same(pool, "wanted_ms", now)


def _set_if_same(pool: Pool, field: str, value: int) -> bool:
    return condition_held(lambda: tables.pools().update_item(
        Key={"owner": pool.owner, "name": pool.name}, UpdateExpression="SET #f = :v", ExpressionAttributeNames={"#f": field},
        ConditionExpression="pool_id = :id", ExpressionAttributeValues={":v": value, ":id": pool.pool_id}))


def lease(pool: Pool, now: int, lease_ms: int) -> bool:
    """The pool's keeper lease, unless another keeper holds it (two keepers would both launch the deficit)."""
    return condition_held(lambda: tables.pools().update_item(
        Key={"owner": pool.owner, "name": pool.name}, UpdateExpression="SET lease_until_ms = :until",
        ConditionExpression="pool_id = :id AND (attribute_not_exists(lease_until_ms) OR lease_until_ms < :now)",
        ExpressionAttributeValues={":until": now + lease_ms, ":now": now, ":id": pool.pool_id}))


def release(pool: Pool, started_ms: int) -> bool:
    """The lease given back, unless a keep was asked for since `started_ms` (False: keep again, still holding
    it). A pool deleted meanwhile has nothing to give back."""
    released = condition_held(lambda: tables.pools().update_item(
        Key={"owner": pool.owner, "name": pool.name}, UpdateExpression="SET kept_ms = :now REMOVE lease_until_ms",
        ConditionExpression="pool_id = :id AND (attribute_not_exists(wanted_ms) OR wanted_ms < :started)",
        ExpressionAttributeValues={":started": started_ms, ":id": pool.pool_id, ":now": max(now_ms(), started_ms)}))
    if released:
        return True
    current = get(pool.owner, pool.name)
    return current is None or current.pool_id != pool.pool_id
