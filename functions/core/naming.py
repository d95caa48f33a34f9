"""Ids, names and tags shared by the provider, the sweeper and the tests."""
import hashlib
import secrets
import string

_ALPHABET = string.digits + string.ascii_lowercase

TAG_MANAGED = "skyrepl:managed"
TAG_CONTROL_ID = "skyrepl:control-id"
TAG_RUN_ID = "skyrepl:run-id"
TAG_DEADLINE = "skyrepl:deadline"
TAG_POOL = "skyrepl:pool"  # a pool's instance: the pool's id
TAG_INSTANCE_KEY = "skyrepl:instance-key"  # a pool's instance: its record, before a run claims it


def new_id(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_run_id() -> str:
    return "r" + new_id(9)


def idempotent_run_id(owner: str, idempotency_key: str) -> str:
    """The run id an Idempotency-Key stands for: the same owner and key always name the same run, so
    the Runs table's conditional put is the idempotency check (and a replay after a crash finds it)."""
    digest = int.from_bytes(hashlib.sha256(f"{owner}\0{idempotency_key}".encode()).digest(), "big")
    chars = []
    for _ in range(9):
        digest, index = divmod(digest, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "r" + "".join(chars)


def new_control_id() -> str:
    return new_id(6)


def instance_name(control_id: str, run_id: str) -> str:
    return f"repl-{control_id}-{run_id}"


def client_token(control_id: str, run_id: str, attempt: int = 1) -> str:
    # One launch per attempt: a retried Provision reuses the token, so EC2 never launches twice; a
    # failover's next attempt (another type, same region) needs its own, or EC2 answers a mismatch.
    return f"spawn-{control_id}-{run_id}" + (f"-{attempt}" if attempt > 1 else "")


def instance_tags(control_id: str, run_id: str, deadline_iso: str) -> dict:
    return {
        TAG_MANAGED: "true",
        TAG_CONTROL_ID: control_id,
        TAG_RUN_ID: run_id,
        TAG_DEADLINE: deadline_iso,
        "Name": instance_name(control_id, run_id),
    }


def pool_instance_tags(control_id: str, pool_id: str, pool_name: str, instance_key: str, deadline_iso: str) -> dict:
    return {TAG_MANAGED: "true", TAG_CONTROL_ID: control_id, TAG_POOL: pool_id, TAG_INSTANCE_KEY: instance_key,
            TAG_DEADLINE: deadline_iso, "Name": f"repl-{control_id}-pool-{pool_name}"}


def key_pair_name(region: str) -> str:
    return f"skyrepl-{region}"


SECURITY_GROUP_NAME = "skyrepl-default"
