"""A user's own SSH key for one of their running runs (POST/GET /v1/runs/{run_id}/ssh-keys).

The public key is checked strictly (its wire format, not only its look), kept on the instance record
(it is public: nothing secret is stored) until the run's deadline or the TTL, whichever comes first,
and sent to the run's agent in an `ssh_keys` event holding the run's whole current list; the agent
writes them into the login user's authorized_keys with sshd's own expiry-time (agent/ssh_keys.py).
A key is `installed` once the agent has acked (Last-Event-ID) the event that carried it.
"""
import base64
import binascii
import hashlib
import struct

from functions.core import states
from functions.core.clock import iso, now_ms
from functions.core.errors import Conflict, Invalid
from functions.core.records import AgentEvent, Instance, Run, SshKey
from functions.settings import settings
from functions.store import instances, runs

MAX_KEYS_PER_RUN = 5
MAX_PUBLIC_KEY_CHARS = 8192  # a 16384-bit RSA key is under 3 KB
MIN_RSA_BITS = 3072
ED25519, RSA = "ssh-ed25519", "ssh-rsa"
ECDSA = {"ecdsa-sha2-nistp256": (b"nistp256", 65), "ecdsa-sha2-nistp384": (b"nistp384", 97),
         "ecdsa-sha2-nistp521": (b"nistp521", 133)}  # the curve's name, its uncompressed point's bytes
ALLOWED = (f"one line: an OpenSSH public key of type {ED25519}, {', '.join(ECDSA)} or {RSA} (at least "
           f"{MIN_RSA_BITS} bits), then its base64 and an optional comment; no options")
WRITE_ATTEMPTS = 3  # another event queued between our read and our write: read again


def parse_public_key(text: str) -> tuple[str, str]:
    """("<type> <base64>", "SHA256:<fingerprint>") of a public key line, else Invalid naming public_key."""
    if len(text) > MAX_PUBLIC_KEY_CHARS or not text.isprintable():  # no newline, tab, NUL or other control
        raise _invalid(f"must be one line of at most {MAX_PUBLIC_KEY_CHARS} printable characters")
    fields = text.strip().split(" ", 2)
    if fields[0] not in (ED25519, RSA, *ECDSA):
        raise _invalid(f"{fields[0][:40]!r} is not an allowed key type (nor may options come before it)")
    try:
        blob = base64.b64decode(fields[1] if len(fields) > 1 else "", validate=True)
    except (binascii.Error, ValueError):
        blob = b""
    if not blob or base64.b64encode(blob).decode() != fields[1]:
        raise _invalid("its base64 part does not decode")
    _check_blob(fields[0], _strings(blob))
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"{fields[0]} {fields[1]}", fingerprint


def _strings(blob: bytes) -> list[bytes]:
    """The SSH wire format's length-prefixed strings (RFC 4251 §5), all of the blob, else Invalid."""
    found, at = [], 0
    while at < len(blob):
        size = struct.unpack(">I", blob[at:at + 4])[0] if at + 4 <= len(blob) else len(blob)
        if at + 4 + size > len(blob):
            raise _invalid("its key data is truncated")
        found.append(blob[at + 4:at + 4 + size])
        at += 4 + size
    return found


def _check_blob(key_type: str, parts: list[bytes]) -> None:
    if not parts or parts[0] != key_type.encode():
        raise _invalid(f"its key data is not of type {key_type}")
    if key_type == ED25519 and not (len(parts) == 2 and len(parts[1]) == 32):
        raise _invalid("its key data is not a 32-byte Ed25519 key")
    if key_type in ECDSA and not (len(parts) == 3 and (parts[1], len(parts[2])) == ECDSA[key_type]
                                  and parts[2][:1] == b"\x04"):
        raise _invalid(f"its key data is not an uncompressed {key_type} point")
    if key_type == RSA:
        if len(parts) != 3 or any(not p or p[0] & 0x80 for p in parts[1:]):  # mpints e, n: positive
            raise _invalid("its key data is not an RSA exponent and modulus")
        bits = int.from_bytes(parts[2], "big").bit_length()
        if bits < MIN_RSA_BITS:
            raise _invalid(f"an RSA key of {bits} bits is too short")


def _invalid(why: str) -> Invalid:
    return Invalid(f"public_key: {why}; allowed: {ALLOWED}", field="public_key")


def add_key(owner: str, run_id: str, public_key: str) -> tuple[dict, bool]:
    """The key as stored, and whether it is new (the same key again renews its expiry)."""
    run = runs.get_owned(run_id, owner)  # another owner's run: 404 before all else, nothing stored or sent
    key_text, fingerprint = parse_public_key(public_key)
    for _ in range(WRITE_ATTEMPTS):
        instance, now = _live_instance(run), now_ms()  # read again on each attempt: the write is conditional
        others = [k for k in instance.ssh_keys if k.expires_ms > now and k.fingerprint != fingerprint]
        before = next((k for k in instance.ssh_keys if k.expires_ms > now and k.fingerprint == fingerprint), None)
        if len(others) >= MAX_KEYS_PER_RUN:
            raise Conflict(f"public_key: run {run_id} has {len(others)} SSH keys, the most it may have; one "
                           f"expires at {iso(min(k.expires_ms for k in others))}", field="public_key")
        event_id = (instance.next_event_id or 0) + 1
        key = SshKey(public_key=key_text, fingerprint=fingerprint, added_ms=before.added_ms if before else now,
                     expires_ms=_expiry(run, now), event_id=event_id)
        keys = (*others, key)
        if instances.put_ssh_keys(instance, keys, AgentEvent(event_id, "ssh_keys", agent_event(run_id, keys))):
            return key_view(run_id, key, instance), before is None
    raise Conflict(f"run_id: run {run_id}'s instance was changing while the key was added; send it again",
                   field="run_id")


def _expiry(run: Run, now: int) -> int:
    """The run's deadline (or the end of its keep-alive) or the TTL from now, whichever comes first."""
    ttl_end = now + 1000 * settings().ssh_key_ttl_seconds
    end = run.kept_until_ms if run.kept(now) else run.deadline_ms
    return min(ttl_end, end) if end else ttl_end


def _live_instance(run: Run) -> Instance:
    if run.status != states.RUNNING and not run.kept(now_ms()):
        raise Conflict(f"run_id: run {run.run_id} is {run.status}; SSH keys are only for a running run, or one "
                       "whose instance stays after it (repl run --keep-alive)", field="run_id")
    instance = instances.get(run.instance_key) if run.instance_key else None
    if instance is None or instance.state != states.INST_RUNNING:
        raise Conflict(f"run_id: run {run.run_id}'s instance is {instance.state if instance else 'not launched'}, "
                       "not running", field="run_id")
    return instance


def list_keys(owner: str, run_id: str) -> dict:
    run = runs.get_owned(run_id, owner)
    now = now_ms()
    instance = instances.get(run.instance_key) if run.instance_key and (not run.ended or run.kept(now)) else None
    found = [key_view(run_id, k, instance) for k in (instance.ssh_keys if instance else ()) if k.expires_ms > now]
    return {"run_id": run_id, "ssh_keys": found}


def agent_event(run_id: str, keys: tuple[SshKey, ...]) -> dict:
    """The `ssh_keys` event's data: the run's whole list (the agent replaces what it installed before)."""
    return {"run_id": run_id, "keys": [{"public_key": k.public_key, "expires_at": iso(k.expires_ms)} for k in keys]}


def key_view(run_id: str, key: SshKey, instance: Instance | None) -> dict:
    return {"run_id": run_id, "fingerprint": key.fingerprint, "public_key": key.public_key,
            "added_at": iso(key.added_ms), "expires_at": iso(key.expires_ms),
            "installed": bool(instance and (instance.acked_event_id or 0) >= key.event_id)}
