"""The per-instance bearer token: it opens that instance's own record and run, nothing else."""
from functions.core import tokens
from functions.core.errors import Forbidden, Gone, Invalid, Unauthorized
from functions.core.records import Instance
from functions.http_errors import json_body
from functions.store import instances


def authenticate(event) -> Instance:
    header = event.headers.get("Authorization") or ""  # Powertools v3 headers are case-insensitive
    scheme, _, token = header.partition(" ")
    parts = tokens.split(token.strip()) if scheme.lower() == "bearer" else None
    instance = instances.get(parts[0]) if parts else None
    if not instance or not tokens.matches(parts[1], instance.token_hashes):
        raise Unauthorized("authorization: missing or invalid instance token")
    if instance.gone:
        raise Gone("instance: this instance has been terminated")
    return instance


def own_run(instance: Instance, run_id) -> str:
    if run_id != instance.run_id:
        raise Forbidden("run_id: this instance's token does not grant access to that run", field="run_id")
    return run_id


def for_own_run(event) -> tuple[Instance, dict]:
    """(the calling instance, the JSON object body), once its `run_id` is shown to be the instance's own."""
    instance, body = authenticate(event), json_body(event)
    if not isinstance(body, dict):
        raise Invalid("body: must be a JSON object", field="body")
    own_run(instance, body.get("run_id"))
    return instance, body
