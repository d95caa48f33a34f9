"""The Logs table: the agent's batches, one item per (run, seq), read back in order."""
import time

from boto3.dynamodb.conditions import Key

from functions.store import tables
from functions.store.items import condition_held, plain

READ_PAGE_ITEMS = 200  # batches per read: a page stays well under API Gateway's 10 MB


def put_batch(run_id: str, seq: int, entries: list, retention_days: int) -> bool:
    """Store a batch once: the agent resends a batch whose answer it lost, with the same seq."""
    item = {"run_id": run_id, "seq": seq, "entries": entries,
            "expires_at": int(time.time()) + retention_days * 86_400}
    return condition_held(lambda: tables.logs().put_item(Item=item, ConditionExpression="attribute_not_exists(seq)"))


def read(run_id: str, after: int) -> tuple[list, int]:
    """Entries of the batches after `after`, flattened in order, and the last seq read."""
    page = tables.logs().query(KeyConditionExpression=Key("run_id").eq(run_id) & Key("seq").gt(after),
                               Limit=READ_PAGE_ITEMS, ConsistentRead=True)
    now, entries, last = time.time(), [], after
    for item in map(plain, page["Items"]):
        last = item["seq"]
        if item.get("expires_at", now + 1) > now:  # TTL deletion lags (and never happens in moto)
            entries += [{"seq": item["seq"], **e} for e in item["entries"]]
    return entries, last
