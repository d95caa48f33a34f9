"""The Pools table: one item per warm pool (a core Pool), keyed by owner and name; only this module
knows its layout."""
from boto3.dynamodb.conditions import Key

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
