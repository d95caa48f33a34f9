"""The Instances table: the record of each instance we launch (a core Instance), written before
RunInstances; only this module knows its layout.

It also holds the agent's event queue (`events`, a short list: start_run, cancel_run, ssh_keys), the
run owner's SSH public keys (`ssh_keys`), and the
SHA-256 of every token minted for the instance (a retried Provision mints another; EC2's
ClientToken may hand back the first launch, whose user-data carries the first token).
"""
from boto3.dynamodb.conditions import Key

from functions.core import states
from functions.core.clock import iso
from functions.core.records import AgentEvent, Instance
from functions.store import tables
from functions.store.codec import check_fields, decode, encode, encode_value
from functions.store.items import all_pages, condition_held, update_expression


def create(instance: Instance) -> None:
    item = {**encode(instance), "created_at": iso(instance.created_ms)}  # the by_owner index's sort key
    condition_held(lambda: tables.instances().put_item(Item=item,
                                                       ConditionExpression="attribute_not_exists(instance_key)"))


def get(instance_key: str) -> Instance | None:
    item = tables.instances().get_item(Key={"instance_key": instance_key}, ConsistentRead=True).get("Item")
    return decode(Instance, item) if item else None


def update(instance_key: str, **fields) -> Instance:
    check_fields(Instance, fields)
    return decode(Instance, tables.instances().update_item(Key={"instance_key": instance_key}, ReturnValues="ALL_NEW",
                                                           **update_expression(fields))["Attributes"])


def add_token_hash(instance_key: str, token_hash: str) -> None:
    tables.instances().update_item(
        Key={"instance_key": instance_key},
        UpdateExpression="SET token_hashes = list_append(if_not_exists(token_hashes, :empty), :h)",
        ExpressionAttributeValues={":empty": [], ":h": [token_hash]},
    )


def open_session(instance_key: str, session_id: str) -> str:
    """The instance's session id: this one, unless a registration at the same moment set its own first."""
    answer = tables.instances().update_item(
        Key={"instance_key": instance_key}, ReturnValues="ALL_NEW",
        UpdateExpression="SET session_id = if_not_exists(session_id, :s)", ExpressionAttributeValues={":s": session_id})
    return answer["Attributes"]["session_id"]


def push_event(instance_key: str, event_type: str, data: dict) -> int:
    """Append an event for the agent; ids are 1, 2, 3… per instance."""
    table = tables.instances()
    new = table.update_item(Key={"instance_key": instance_key}, UpdateExpression="ADD next_event_id :one",
                            ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")
    event = AgentEvent(event_id=int(new["Attributes"]["next_event_id"]), type=event_type, data=data)
    table.update_item(
        Key={"instance_key": instance_key},
        UpdateExpression="SET events = list_append(if_not_exists(events, :empty), :e)",
        ExpressionAttributeValues={":empty": [], ":e": [encode_value(event)]},
    )
    return event.event_id


def put_ssh_keys(instance: Instance, keys: tuple, event: AgentEvent) -> bool:
    """The run's SSH keys and the `ssh_keys` event that carries them to the agent, in one write, if no
    other event was queued since `instance` was read (else False: read again). So the keys stored are
    always the list the agent was sent last."""
    last = {":last": instance.next_event_id} if instance.next_event_id else {}
    return condition_held(lambda: tables.instances().update_item(
        Key={"instance_key": instance.instance_key},
        UpdateExpression="SET ssh_keys = :keys, next_event_id = :id, "
                         "events = list_append(if_not_exists(events, :empty), :e)",
        ConditionExpression="next_event_id = :last" if last else "attribute_not_exists(next_event_id)",
        ExpressionAttributeValues={":keys": encode_value(keys), ":id": event.event_id, ":empty": [],
                                   ":e": [encode_value(event)], **last}))


def list_owned(owner: str, include_ended: bool) -> list[Instance]:
    items = all_pages(tables.instances().query, IndexName="by_owner", KeyConditionExpression=Key("owner").eq(owner),
                      ScanIndexForward=False)
    found = [decode(Instance, i) for i in items]
    return [i for i in found if include_ended or not i.gone]


def pool_members(pool_id: str) -> list[Instance]:
    """A pool's instances that have not ended, idle or claimed, oldest first."""
    items = all_pages(tables.instances().query, IndexName="by_pool", KeyConditionExpression=Key("pool_id").eq(pool_id))
    return [i for i in (decode(Instance, item) for item in items) if not i.gone]


def claim(instance: Instance, run_id: str, deadline_ms: int, now_ms: int) -> Instance | None:
    """The pool's instance (idle, or booting) given to this run, if no other run took it first (one
    conditional write, so two runs never get the same instance); None if it is taken or has ended."""
    answer = {}

    def write():
        answer.update(tables.instances().update_item(
            Key={"instance_key": instance.instance_key}, ReturnValues="ALL_NEW",
            UpdateExpression="SET run_id = :run, deadline_ms = :deadline, claimed_ms = :now",
            ConditionExpression="attribute_not_exists(run_id) AND attribute_exists(instance_id) AND #st IN (:pending, :running)",
            ExpressionAttributeNames={"#st": "state"},
            ExpressionAttributeValues={":run": run_id, ":deadline": deadline_ms, ":now": now_ms,
                                       ":pending": states.INST_PENDING, ":running": states.INST_RUNNING}))
    return decode(Instance, answer["Attributes"]) if condition_held(write) else None
