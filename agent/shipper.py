"""Ship a run's output to POST /v1/agent/logs in numbered batches, in order, losing nothing.

Readers put (stream, text) pieces on one queue. A batch goes out when its flush time has passed since
its first piece (short while a follower reads the output, long while nobody does: the Policy), or
once a chunk's worth is waiting. A small batch goes inline; a big one is gzipped and PUT to S3 by a
presigned URL, then announced (protocol §2), so bulk output moves at disk and network speed. A failed
send is retried as the very same batch, same seq, until it is taken, so the control plane (which
stores a repeated seq once) sees every byte exactly once and in order.
"""
import gzip
import json
import logging
import queue
import threading
import time
from typing import Callable, List, Optional

from agent.client import put_bytes
from agent.output import Pending, Policy, split

log = logging.getLogger("agent")

LOGS_PATH = "/v1/agent/logs"
_CLOSE = None  # queue sentinel: the command's output has ended; flush everything and stop
_FLUSH = object()  # queue sentinel: send what is waiting now, without waiting for the batch to be due


class LogShipper:
    def __init__(self, client, run_id: str, batch_seconds: float, batch_bytes: int,
                 clock: Callable[[], float] = time.monotonic, policy: Optional[Policy] = None, first_seq: int = 0):
        self._client, self._run_id, self._clock = client, run_id, clock
        self.policy = policy or Policy(batch_seconds, batch_bytes)
        self._queue = queue.Queue()  # type: queue.Queue
        self.seq = first_seq  # the last batch number sent (a restarted agent goes on from the stored one)
        self._thread = threading.Thread(target=self._run, name="ship-" + run_id, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def put(self, stream: str, text: str) -> None:
        self._queue.put((stream, text))

    def flush(self) -> None:
        """Have what was put so far sent at once (returns at once)."""
        self._queue.put(_FLUSH)

    def close_and_flush(self) -> None:
        """Block until everything put so far has been sent (or refused for good)."""
        self._queue.put(_CLOSE)
        self._thread.join()

    def _run(self) -> None:
        pending, closed = Pending(), False
        while not closed or pending:
            if not closed:
                closed = self._collect(pending)
            if pending:
                self._send(pending.take(self.policy.chunk_bytes))

    def _collect(self, pending: Pending) -> bool:
        """Move pieces from the queue until a batch is due; True once the output has ended."""
        first = self._clock() if pending else None
        while pending.size < self.policy.chunk_bytes:
            timeout = None if first is None else first + self.policy.flush_seconds() - self._clock()
            if timeout is not None and timeout <= 0:
                return False
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                return False
            if item is _CLOSE:
                return True
            if item is _FLUSH:
                return False
            pending.add(*item)
            first = self._clock() if first is None else first
        return False

    def _send(self, entries: List[dict]) -> None:
        raw = sum(len(e["data"].encode("utf-8")) for e in entries)
        if raw > self.policy.inline_bytes and self._send_chunk(entries, raw):
            return
        for part in split(entries, self.policy.inline_bytes):  # inline, in batches of at most inline_bytes
            self._deliver({"entries": part})

    def _send_chunk(self, entries: List[dict], raw: int) -> bool:
        """gzip of the entries' JSON, PUT to S3 by presigned URL, then announced as the batch; False when
        the control plane takes no chunks (then they go inline)."""
        data = gzip.compress(json.dumps(entries).encode("utf-8"), compresslevel=1)
        asked = self._client.deliver(LOGS_PATH, {"run_id": self._run_id, "seq": self.seq + 1,
                                                 "upload": {"bytes": len(data)}}, "an upload URL")
        url = _json(asked).get("upload_url") if asked is not None else None
        if not url:
            return False
        backoff = self._client.backoff()
        while True:  # a PUT of the same bytes to the same key is harmless: retried until it lands
            problem = put_bytes(url, data)
            if problem is None:
                break
            log.warning("log chunk %d: %s; retrying in %.1f s", self.seq + 1, problem, backoff.delay)
            backoff.wait()
        self._deliver({"chunk": {"bytes": len(data), "raw_bytes": raw}})
        return True

    def _deliver(self, batch: dict) -> None:
        self.seq += 1
        resp = self._client.deliver(LOGS_PATH, dict(batch, run_id=self._run_id, seq=self.seq),
                                    "logs batch {}".format(self.seq))
        attached = _json(resp).get("attached") if resp is not None else None
        if isinstance(attached, bool):
            self.policy.attached = attached


def _json(resp) -> dict:
    try:
        found = json.loads(resp.body.decode("utf-8"))
    except (ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}
