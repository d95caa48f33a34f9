"""The pool keeper's Lambda: {"owner", "name"} keeps that pool (after a claim, a create, a resize);
anything else (the schedule) keeps every pool."""
from functions.observability import logger
from functions.lifecycle import pool_keeper as keeper
from functions.store import pools


@logger.inject_lambda_context
def handler(event, context):
    if isinstance(event, dict) and isinstance(event.get("owner"), str) and isinstance(event.get("name"), str):
        pool = pools.get(event["owner"], event["name"])
        return {"kept": [keeper.keep(pool)] if pool else []}
    return {"kept": keeper.keep_every()}
