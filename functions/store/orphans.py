"""Orphans (core Orphan): instances of ours that no run record accounts for, as the sweeper last saw
them; kept in kv under `orphan#<instance id>`, written by the sweeper, read by `repl orphan list`."""
from functions.core.records import Orphan
from functions.store import kv
from functions.store.codec import decode, encode

PREFIX = "orphan#"


def record(orphan: Orphan) -> None:
    kv.put(PREFIX + orphan.instance_id, encode(orphan))


def list_all() -> list[Orphan]:
    found = [kv.get(key) for key in kv.keys(PREFIX)]
    return sorted((decode(Orphan, value) for value in found if value), key=lambda o: o.seen_ms)
