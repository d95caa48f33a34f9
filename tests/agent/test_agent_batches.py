"""Batching in process: merge, split at the size cap on a character boundary, seq numbering."""
from agent.output import Pending
from agent.shipper import LogShipper


def _pending(*pieces):
    p = Pending()
    for stream, text in pieces:
        p.add(stream, text)
    return p


def test_neighbours_of_a_stream_merge_and_the_order_stays():
    p = _pending(("stdout", "a"), ("stdout", "b"), ("stderr", "c"), ("stdout", "d"))
    assert p.take(1024) == [{"stream": "stdout", "data": "ab"}, {"stream": "stderr", "data": "c"},
                            {"stream": "stdout", "data": "d"}]
    assert not p and p.size == 0


def test_a_piece_over_the_cap_splits_between_whole_characters():
    p = _pending(("stdout", "x" * 1023 + "é" + "tail"))  # é is 2 bytes: it cannot fit in byte 1024
    first, rest = p.take(1024), p.take(1024)
    assert first == [{"stream": "stdout", "data": "x" * 1023}]
    assert rest == [{"stream": "stdout", "data": "étail"}] and p.size == 0


class RecordingClient:
    def __init__(self):
        self.sent = []

    def deliver(self, path, body, what):
        self.sent.append(body)


def test_close_flushes_everything_in_numbered_batches_inline_where_chunks_are_not_taken():
    client = RecordingClient()  # answers nothing: no upload URL, so what is over the inline size goes inline too
    shipper = LogShipper(client, "r1", batch_seconds=60.0, batch_bytes=1024)
    shipper.start()
    for i in range(100):
        shipper.put("stdout", "line {:04d} {}\n".format(i, "." * 40))
    shipper.close_and_flush()
    batches = [b for b in client.sent if "entries" in b]
    assert [b["seq"] for b in batches] == list(range(1, len(batches) + 1)) and len(batches) > 1
    assert all(len("".join(e["data"] for e in b["entries"])) <= 1024 for b in batches)
    text = "".join(e["data"] for b in batches for e in b["entries"])
    assert text == "".join("line {:04d} {}\n".format(i, "." * 40) for i in range(100))
