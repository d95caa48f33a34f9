"""The Runs table: one item per run (a core Run); only this module knows its layout."""
import base64
import json

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from functions.core import states
from functions.core.clock import iso
from functions.core.errors import Invalid, run_not_found
from functions.core.records import Run
from functions.store import tables
from functions.store.codec import check_fields, decode, encode, plain
from functions.store.items import all_pages, condition_held, update_expression

_CURSOR_FIELDS = {"run_id", "owner", "created_at"}  # the table key plus the by_owner index key


UNSETTLED = "yes"  # the one value of the sparse `unsettled` index's key


def _item(run: Run) -> dict:
    # created_at: the indexes' sort key; unsettled: until the run has ended and its teardown is confirmed
    return {**encode(run), "created_at": iso(run.created_ms), "unsettled": UNSETTLED}


def create(run: Run) -> bool:
    """Write a new run; False (and nothing written) when a run of that id exists."""
    return condition_held(lambda: tables.runs().put_item(Item=_item(run),
                                                         ConditionExpression="attribute_not_exists(run_id)"))


def get(run_id: str) -> Run | None:
    item = tables.runs().get_item(Key={"run_id": run_id}, ConsistentRead=True).get("Item")
    return decode(Run, item) if item else None


def get_owned(run_id: str, owner: str) -> Run:
    run = get(run_id)
    if not run or run.owner != owner:  # another owner's run does not exist for this caller
        raise run_not_found(run_id)
    return run


def list_owned(owner: str, limit: int, cursor: str | None) -> tuple[list[Run], str | None]:
    kwargs = {"IndexName": "by_owner", "KeyConditionExpression": Key("owner").eq(owner),
              "ScanIndexForward": False, "Limit": limit}
    if cursor:
        kwargs["ExclusiveStartKey"] = _start_key(cursor, owner)
    page = tables.runs().query(**kwargs)
    last = page.get("LastEvaluatedKey")
    next_cursor = base64.urlsafe_b64encode(json.dumps(plain(last)).encode()).decode() if last else None
    return [decode(Run, i) for i in page["Items"]], next_cursor


def _start_key(cursor: str, owner: str) -> dict:
    """Decode a cursor from list_owned; anything else (or another owner's cursor) is the caller's error."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError):
        key = None
    if not isinstance(key, dict) or set(key) != _CURSOR_FIELDS or not all(isinstance(v, str) for v in key.values()) \
            or key["owner"] != owner:
        raise Invalid("cursor: not a cursor this listing returned; pass next_cursor from the previous page", field="cursor")
    return key


def update(run_id: str, **fields) -> Run:
    """Change fields of an existing run (an update never brings a deleted record back as a fragment)."""
    check_fields(Run, fields)
    try:
        return decode(Run, tables.runs().update_item(Key={"run_id": run_id}, ReturnValues="ALL_NEW",
                                                     ConditionExpression="attribute_exists(run_id)",
                                                     **update_expression(fields))["Attributes"])
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise run_not_found(run_id) from None
        raise


def advance(run_id: str, status: str, **fields) -> bool:
    """Move an active run to a later active status; a run that has ended stays ended."""
    check_fields(Run, fields)
    kwargs = update_expression({"status": status, **fields})
    kwargs["ExpressionAttributeValues"].update({f":a{i}": s for i, s in enumerate(states.ACTIVE_STATUSES)})
    allowed = ", ".join(f":a{i}" for i in range(len(states.ACTIVE_STATUSES)))
    return _conditional(run_id, kwargs, f"#st IN ({allowed})")


def finish(run_id: str, status: str, exit_code: int | None, reason: str, ended_ms: int) -> bool:
    """Write the terminal status once: the first writer wins, later ones change nothing."""
    kwargs = update_expression({"status": status, "exit_code": exit_code, "reason": reason, "ended_ms": ended_ms,
                                "task_token": None})
    kwargs["ExpressionAttributeValues"].update({f":t{i}": s for i, s in enumerate(states.TERMINAL_STATUSES)})
    terminal = ", ".join(f":t{i}" for i in range(len(states.TERMINAL_STATUSES)))
    return _conditional(run_id, kwargs, f"attribute_exists(run_id) AND NOT (#st IN ({terminal}))")


def created_since(owner: str, since_ms: int) -> list[Run]:
    """This owner's runs created at since_ms or later (the by_owner index, its sort key bounding the read)."""
    items = all_pages(tables.runs().query, IndexName="by_owner",
                      KeyConditionExpression=Key("owner").eq(owner) & Key("created_at").gte(iso(since_ms)))
    return [decode(Run, item) for item in items]


def active_count(owner: str) -> int:
    """How many of this owner's runs have not ended (read from the unsettled index: what is open, not
    everything the owner ever ran)."""
    items = all_pages(tables.runs().query, IndexName="unsettled", KeyConditionExpression=Key("unsettled").eq(UNSETTLED),
                      FilterExpression=Attr("owner").eq(owner) & Attr("status").is_in(list(states.ACTIVE_STATUSES)),
                      ProjectionExpression="run_id")
    return len(items)


def unsettled() -> list[Run]:
    """Every run not yet ended with its instance's end confirmed, oldest first (a sparse index: few)."""
    items = all_pages(tables.runs().query, IndexName="unsettled", KeyConditionExpression=Key("unsettled").eq(UNSETTLED))
    return [decode(Run, item) for item in items]


def settle(run_id: str) -> None:
    """The run has ended and its teardown is confirmed: out of the sweeper's sight."""
    tables.runs().update_item(Key={"run_id": run_id}, UpdateExpression="REMOVE unsettled",
                              ConditionExpression="attribute_exists(run_id)")


def start_clock(run_id: str, deadline_ms: int) -> Run:
    """The run's deadline, set once, just before its first launch request: retries keep the first."""
    return decode(Run, tables.runs().update_item(
        Key={"run_id": run_id}, ReturnValues="ALL_NEW", ConditionExpression="attribute_exists(run_id)",
        UpdateExpression="SET deadline_ms = if_not_exists(deadline_ms, :d)",
        ExpressionAttributeValues={":d": deadline_ms})["Attributes"])


def claim_start(run_id: str, now_ms: int) -> bool:
    """Whether the caller is the one to hand the command to the agent: the first claim of an active,
    uncancelled run wins (the agent's registration, or the workflow's DispatchRun), later ones lose."""
    kwargs = update_expression({"start_sent_ms": now_ms})
    kwargs["ExpressionAttributeValues"].update({f":a{i}": s for i, s in enumerate(states.ACTIVE_STATUSES)})
    allowed = ", ".join(f":a{i}" for i in range(len(states.ACTIVE_STATUSES)))
    return _conditional(run_id, kwargs, "attribute_exists(run_id) AND attribute_not_exists(start_sent_ms) AND "
                                        f"attribute_not_exists(cancel_requested_ms) AND #st IN ({allowed})")


def _conditional(run_id: str, kwargs: dict, condition: str) -> bool:
    kwargs["ExpressionAttributeNames"]["#st"] = "status"
    return condition_held(lambda: tables.runs().update_item(Key={"run_id": run_id}, ConditionExpression=condition,
                                                            **kwargs))
