"""Ship a run's output to POST /v1/agent/logs in numbered batches, in order, losing nothing.

Readers put (stream, text) pieces on one queue. A batch goes out when batch_seconds have passed since
its first piece or batch_bytes are waiting, whichever is first; it never exceeds batch_bytes of UTF-8
(a long piece is split). A failed send is retried as the very same batch, same seq, until it is taken,
so the control plane (which stores a repeated seq once) sees every byte exactly once and in order.
"""
import collections
import logging
import queue
import threading
import time
from typing import Callable, List, Tuple

log = logging.getLogger("agent")

_CLOSE = None  # queue sentinel: the command's output has ended; flush everything and stop
_FLUSH = object()  # queue sentinel: send what is waiting now, without waiting for the batch to be due


class Pending:
    """Pieces waiting to be batched, with their total size in UTF-8 bytes."""

    def __init__(self):
        self.pieces = collections.deque()  # type: Deque[Tuple[str, str, int]]
        self.size = 0

    def __bool__(self) -> bool:
        return bool(self.pieces)

    def add(self, stream: str, text: str) -> None:
        size = len(text.encode("utf-8"))
        self.pieces.append((stream, text, size))
        self.size += size

    def take(self, limit: int) -> List[dict]:
        """Up to limit bytes from the front as entries; neighbours of the same stream are merged."""
        batch = []  # type: List[Tuple[str, List[str]]]
        room = limit
        while self.pieces and room > 0:
            stream, text, size = self.pieces.popleft()
            if size > room:
                text, size = self._split(stream, text, size, room)
                if not text:
                    break
            self.size -= size
            room -= size
            if batch and batch[-1][0] == stream:
                batch[-1][1].append(text)
            else:
                batch.append((stream, [text]))
        return [{"stream": stream, "data": "".join(parts)} for stream, parts in batch]

    def _split(self, stream: str, text: str, size: int, room: int) -> Tuple[str, int]:
        """Keep the head that fits in room (whole characters only); put the rest back in front."""
        head = text.encode("utf-8")[:room].decode("utf-8", "ignore")
        head_size = len(head.encode("utf-8"))
        self.pieces.appendleft((stream, text[len(head):], size - head_size))
        return head, head_size


class LogShipper:
    def __init__(self, client, run_id: str, batch_seconds: float, batch_bytes: int,
                 clock: Callable[[], float] = time.monotonic):
        self._client, self._run_id, self._clock = client, run_id, clock
        self._seconds, self._limit = batch_seconds, batch_bytes
        self._queue = queue.Queue()  # type: queue.Queue
        self.seq = 0  # the last batch number sent
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
                self._send(pending.take(self._limit))

    def _collect(self, pending: Pending) -> bool:
        """Move pieces from the queue until a batch is due; True once the output has ended."""
        due = self._clock() + self._seconds if pending else None
        while pending.size < self._limit:
            timeout = None if due is None else due - self._clock()
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
            due = self._clock() + self._seconds if due is None else due
        return False

    def _send(self, entries: List[dict]) -> None:
        self.seq += 1
        body = {"run_id": self._run_id, "seq": self.seq, "entries": entries}
        self._client.deliver("/v1/agent/logs", body, "logs batch {}".format(self.seq))
