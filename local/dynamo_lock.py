"""One DynamoDB request at a time inside moto: its backend is not thread-safe.

moto's DynamoDB hands out its live item dicts. An UpdateItem on one thread (a state-machine task,
a gateway request) can change an item while a GetItem on another is serializing it, and the read
fails with "dictionary changed size during iteration" (CI, fault matrix, 2026-11-27). Real
DynamoDB has no such race, so the emulation serializes DynamoDB requests. The lock is re-entrant
and a DynamoDB request calls nothing outside DynamoDB, so it cannot deadlock.
"""
import threading

from moto.dynamodb.responses import DynamoHandler

_ORIGINAL = DynamoHandler.call_action
_lock = threading.RLock()


def _call_action(self):
    with _lock:
        return _ORIGINAL(self)


def install() -> None:
    """Idempotent. Works under `moto.mock_aws()` and the embedded ThreadedMotoServer alike."""
    DynamoHandler.call_action = _call_action


def uninstall() -> None:
    DynamoHandler.call_action = _ORIGINAL
