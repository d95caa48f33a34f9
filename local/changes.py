"""Long polls on the embedded stack: a client that may wait (`?wait=SECONDS`) is held by the gateway
until what it waits on changes, instead of polling.

The control plane's answers name what they changed and, when they had nothing new, what the caller
could wait on (headers `X-Skyrepl-Changed` / `X-Skyrepl-Wait`, docs/protocol.md); workflow tasks
change their run. On AWS nothing holds a request (a held Lambda is billed for every second): clients
poll at the interval the answer suggests instead.
"""
import os
import threading

from functions.http import CHANGED, WAIT  # noqa: F401 - the headers, named once
MAX_WAIT_SECONDS = 25.0  # under the clients' 30 s request timeouts
HOLD_VAR = "SKYREPL_LOCAL_MAX_WAIT_SECONDS"  # 0: hold nothing, as API Gateway (bench/cost.py runs so)


def max_wait_seconds() -> float:
    return float(os.environ.get(HOLD_VAR, MAX_WAIT_SECONDS))


class Changes:
    """Keys (`run:<id>`, `agent:<id>`) and when each last changed, on one counter: a waiter takes
    now() before it asks, and waits for a change after that, so a change between its question and its
    wait is never missed."""

    def __init__(self):
        self._seq = 0
        self._changed: dict[str, int] = {}
        self._cond = threading.Condition()

    def now(self) -> int:
        with self._cond:
            return self._seq

    def bump(self, *keys: str) -> None:
        if not keys:
            return
        with self._cond:
            self._seq += 1
            for key in keys:
                self._changed[key] = self._seq
            self._cond.notify_all()

    def wait(self, key: str, since: int, seconds: float) -> bool:
        """Until `key` has changed after `since` (a now()), at most `seconds`; whether it did."""
        with self._cond:
            return self._cond.wait_for(lambda: self._changed.get(key, 0) > since, timeout=seconds)


def keys(header: str | None) -> list[str]:
    return [k.strip() for k in (header or "").split(",") if k.strip()]


changes = Changes()  # one per daemon: the gateway's requests and the workflow's tasks share it
