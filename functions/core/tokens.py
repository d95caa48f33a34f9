"""Per-instance agent tokens: `<instance_key>.<secret>`; only SHA-256(secret) is ever stored."""
import hashlib
import hmac
import secrets


def mint(instance_key: str) -> tuple[str, str]:
    """A new token and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return f"{instance_key}.{secret}", digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split(token: str) -> tuple[str, str] | None:
    key, sep, secret = token.partition(".")
    return (key, secret) if sep and key and secret else None


def matches(secret: str, hashes: list) -> bool:
    candidate = digest(secret)
    return any(hmac.compare_digest(candidate, h) for h in hashes)
