"""The agent's two credentials. Neither is ever stored in the clear.

- The **boot token** `<instance_key>.<secret>`, minted by Provision into the user-data: only
  SHA-256(secret) is stored. It opens the two boot routes (agent code, registration) and only until
  the agent has polled its events with the session credential its registration answered: then it is spent.
- The **session credential** `<instance_key>.<session_id>.<mac>`, handed over by the registration and
  held in the agent's memory only: the MAC is HMAC-SHA256 under the deployment's session key
  (functions/aws/session_key.py), so a forged one is refused from its text alone, before any table
  read (what keeps a flood of made-up credentials away from DynamoDB); the record's session_id
  ties it to one registration, and it dies with the instance (410 once terminated).
"""
import base64
import hashlib
import hmac
import secrets
from typing import NamedTuple


class BootToken(NamedTuple):
    instance_key: str
    secret: str


class SessionCredential(NamedTuple):
    instance_key: str
    session_id: str
    mac: str


def mint(instance_key: str) -> tuple[str, str]:
    """A new boot token and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return f"{instance_key}.{secret}", digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split(token: str) -> tuple[str, str] | None:
    """A boot token's (instance_key, secret); None for anything else."""
    parsed = parse(token)
    return tuple(parsed) if isinstance(parsed, BootToken) else None


def parse(token: str) -> BootToken | SessionCredential | None:
    parts = token.split(".")
    if not all(parts) or not token.isascii():
        return None
    if len(parts) == 2:
        return BootToken(*parts)
    return SessionCredential(*parts) if len(parts) == 3 else None


def matches(secret: str, hashes: list) -> bool:
    candidate = digest(secret)
    return any(hmac.compare_digest(candidate, h) for h in hashes)


def new_session_id() -> str:
    return secrets.token_urlsafe(12)


def session(instance_key: str, session_id: str, key: bytes) -> str:
    """The session credential of that registration (the same each time: a lost answer is answered again)."""
    return f"{instance_key}.{session_id}.{_mac(key, instance_key, session_id)}"


def signed(credential: SessionCredential, key: bytes) -> bool:
    return hmac.compare_digest(credential.mac, _mac(key, credential.instance_key, credential.session_id))


def _mac(key: bytes, instance_key: str, session_id: str) -> str:
    mac = hmac.new(key, f"skyrepl-session:{instance_key}.{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")
