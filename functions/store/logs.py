"""The Logs table: the agent's batches (core LogBatch), one item per (run, seq), read back in order."""
import time

from boto3.dynamodb.conditions import Key

from functions.core.records import LogBatch
from functions.store import tables
from functions.store.codec import decode, encode
from functions.store.items import condition_held

READ_PAGE_ITEMS = 200  # batches per read: a page stays well under API Gateway's 10 MB


def put_batch(batch: LogBatch, retention_days: int) -> bool:
    """Store a batch once: the agent resends a batch whose answer it lost, with the same seq."""
    item = {**encode(batch), "expires_at": int(time.time()) + retention_days * 86_400}
    return condition_held(lambda: tables.logs().put_item(Item=item, ConditionExpression="attribute_not_exists(seq)"))


def read(run_id: str, after: int) -> tuple[list[LogBatch], int]:
    """The batches after seq `after`, in order (one page of them: READ_PAGE_ITEMS at most, so a page
    with fewer is all there is now), and the last seq read."""
    page = tables.logs().query(KeyConditionExpression=Key("run_id").eq(run_id) & Key("seq").gt(after),
                               Limit=READ_PAGE_ITEMS, ConsistentRead=True)
    now, batches, last = time.time(), [], after
    for item in page["Items"]:
        last = int(item["seq"])
        if int(item.get("expires_at", now + 1)) > now:  # TTL deletion lags (and never happens in moto)
            batches.append(decode(LogBatch, item))
    return batches, last


def exists(run_id: str, seq: int) -> bool:
    return "Item" in tables.logs().get_item(Key={"run_id": run_id, "seq": seq}, ConsistentRead=True,
                                            ProjectionExpression="seq")


def last_seq(run_id: str) -> int:
    """The highest seq stored for the run (0 for none): where a restarted agent goes on numbering."""
    page = tables.logs().query(KeyConditionExpression=Key("run_id").eq(run_id), ScanIndexForward=False, Limit=1,
                               ConsistentRead=True, ProjectionExpression="seq")
    return int(page["Items"][0]["seq"]) if page["Items"] else 0
