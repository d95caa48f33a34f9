"""The per-instance bearer token: it opens that instance's own record and run, nothing else."""
from functions.core import tokens
from functions.core.errors import Forbidden, Gone, Unauthorized
from functions.core.records import Instance
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


def for_own_run(event, run_id: str) -> Instance:
    """The calling instance, once the `run_id` its body names is shown to be the instance's own."""
    instance = authenticate(event)
    own_run(instance, run_id)
    return instance
