"""What the embedded stack served, counted, so bench/cost.py can price a run on AWS from counts rather
than estimates: API requests per route, Lambda invocations and their seconds per function, DynamoDB
operations with the bytes they carried. One meter per daemon; read at GET /_local/meter."""
import re
import threading

_ID = re.compile(r"/(r[0-9a-z]{9}|ami-[0-9a-f]+)(?=/|$)")


class Meter:
    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict = {}

    def add(self, kind: str, name: str, **amounts: float) -> None:
        with self._lock:
            entry = self._counts.setdefault(kind, {}).setdefault(name, {})
            entry["count"] = entry.get("count", 0) + 1
            for key, value in amounts.items():
                entry[key] = entry.get(key, 0) + value

    def snapshot(self) -> dict:
        with self._lock:
            return {kind: {name: dict(entry) for name, entry in names.items()} for kind, names in self._counts.items()}


def route(method: str, path: str) -> str:
    """`GET /v1/runs/{id}/logs`: a request's route, its ids and query left out."""
    return f"{method} {_ID.sub('/{id}', path.split('?', 1)[0])}"


meter = Meter()
