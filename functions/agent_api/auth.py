"""The per-instance bearer token: it opens that instance's own record and run, nothing else."""
from functions.core import states, tokens
from functions.core.errors import Forbidden, Gone, Unauthorized
from functions.store import instances


def authenticate(event) -> dict:
    header = event.headers.get("Authorization") or ""  # Powertools v3 headers are case-insensitive
    scheme, _, token = header.partition(" ")
    parts = tokens.split(token.strip()) if scheme.lower() == "bearer" else None
    instance = instances.get(parts[0]) if parts else None
    if not instance or not tokens.matches(parts[1], instance.get("token_hashes", [])):
        raise Unauthorized("authorization: missing or invalid instance token")
    if instance.get("state") in (states.TERMINATING, states.TERMINATED):
        raise Gone("instance: this instance has been terminated")
    return instance


def own_run(instance: dict, run_id) -> str:
    if run_id != instance.get("run_id"):
        raise Forbidden("run_id: this instance's token does not grant access to that run", field="run_id")
    return run_id
