"""Batching in process: merge, split at the size cap on a character boundary, seq numbering."""
from agent.shipper import LogShipper, Pending


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


def test_close_flushes_everything_in_numbered_batches():
    client = RecordingClient()
    shipper = LogShipper(client, "r1", batch_seconds=60.0, batch_bytes=1024)
    shipper.start()
    for i in range(100):
        shipper.put("stdout", "line {:04d} {}\n".format(i, "." * 40))
    shipper.close_and_flush()
    assert [b["seq"] for b in client.sent] == list(range(1, len(client.sent) + 1)) and len(client.sent) > 1
    text = "".join(e["data"] for b in client.sent for e in b["entries"])
    assert text == "".join("line {:04d} {}\n".format(i, "." * 40) for i in range(100))
