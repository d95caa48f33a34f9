"""Who is calling: an instance, by its boot token or its session credential (functions/core/tokens.py).

Each opens that instance's own record and run, nothing else. The check costs no table read until the
credential's text holds up: a made-up session credential fails its MAC, and a boot token is refused on
every route but the two boot routes, so a flood of either never reaches DynamoDB.
"""
from functions.aws import session_key
from functions.core import tokens
from functions.core.errors import Forbidden, Gone, Unauthorized
from functions.core.records import Instance
from functions.store import instances

INVALID = "authorization: missing or invalid instance credential"
BOOT_ONLY = ("authorization: this route takes the session credential the registration answered, not the "
             "instance's boot token")
SPENT = ("authorization: this instance's boot token is spent: its agent registered and polls with the "
         "session credential it was given")


def authenticate(event) -> Instance:
    """The caller of a session route (every route but code and register)."""
    credential = _credential(event)
    if isinstance(credential, tokens.BootToken):
        raise Unauthorized(BOOT_ONLY)
    if not isinstance(credential, tokens.SessionCredential) or not tokens.signed(credential, session_key.get()):
        raise Unauthorized(INVALID)
    instance = instances.get(credential.instance_key)
    if not instance or instance.session_id != credential.session_id:  # an earlier registration's
        raise Unauthorized(INVALID)
    _alive(instance)
    return instance


def boot(event) -> Instance:
    """The caller of a boot route: its boot token until it is spent; a session credential as well
    (the agent's own code, fetched again). A spent boot token raises Spent."""
    credential = _credential(event)
    if isinstance(credential, tokens.SessionCredential):
        return authenticate(event)
    instance = instances.get(credential.instance_key) if isinstance(credential, tokens.BootToken) else None
    if not instance or not tokens.matches(credential.secret, instance.token_hashes):
        raise Unauthorized(INVALID)
    _alive(instance)
    if instance.session_used_ms is not None:
        raise Spent(instance)
    return instance


class Spent(Unauthorized):
    """A spent boot token, shown again: its agent restarted (its command is gone), or it leaked."""

    def __init__(self, instance: Instance):
        super().__init__(SPENT)
        self.instance = instance


def _credential(event) -> tokens.BootToken | tokens.SessionCredential | None:
    header = event.headers.get("Authorization") or ""  # Powertools v3 headers are case-insensitive
    scheme, _, token = header.partition(" ")
    return tokens.parse(token.strip()) if scheme.lower() == "bearer" else None


def _alive(instance: Instance) -> None:
    if instance.gone:
        raise Gone("instance: this instance has been terminated")


def own_run(instance: Instance, run_id) -> str:
    if run_id != instance.run_id:
        raise Forbidden("run_id: this instance's token does not grant access to that run", field="run_id")
    return run_id


def for_own_run(event, run_id: str) -> Instance:
    """The calling instance, once the `run_id` its body names is shown to be the instance's own."""
    instance = authenticate(event)
    own_run(instance, run_id)
    return instance
