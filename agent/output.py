"""What is waiting to be shipped (Pending), and how it is batched (Policy): agent/shipper.py's parts."""
import collections
from typing import List, Optional, Tuple

CHUNK_BYTES = 8 * 1024 * 1024  # output per S3 chunk at most


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


class Policy:
    """How output is batched, as the control plane says at registration (register's `output`) and updates
    in its answers (`attached`: a follower reads now). Without a word from it: the agent's own settings,
    and a follower is assumed (ship soon)."""

    def __init__(self, attached_seconds: float, inline_bytes: int, detached_seconds: Optional[float] = None,
                 chunk_bytes: int = CHUNK_BYTES):
        self.attached_seconds, self.inline_bytes, self.chunk_bytes = attached_seconds, inline_bytes, chunk_bytes
        self.detached_seconds = attached_seconds if detached_seconds is None else detached_seconds
        self.attached = True

    def update(self, output: Optional[dict]) -> None:
        if not isinstance(output, dict):
            return
        self.attached_seconds = _positive(output.get("attached_ms"), self.attached_seconds * 1000) / 1000
        self.detached_seconds = _positive(output.get("detached_ms"), self.detached_seconds * 1000) / 1000
        self.inline_bytes = int(_positive(output.get("inline_bytes"), self.inline_bytes))
        self.chunk_bytes = int(max(_positive(output.get("chunk_bytes"), self.chunk_bytes), self.inline_bytes))

    def flush_seconds(self) -> float:
        return self.attached_seconds if self.attached else self.detached_seconds


def _positive(value, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else default


def split(entries: List[dict], limit: int) -> List[List[dict]]:
    """The entries again, in lists of at most `limit` bytes of output each."""
    pending = Pending()
    for e in entries:
        pending.add(e["stream"], e["data"])
    parts = []
    while pending:
        parts.append(pending.take(limit))
    return parts
