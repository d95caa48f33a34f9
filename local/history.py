"""What the embedded stack keeps across `repl local down`/`up` and a `kill -9` of its daemon: every
DynamoDB item (runs, logs, instances, snapshots, orphans, settings), every S3 object (working
directories, artifacts, log chunks) and every SSM parameter, under ~/.repl/local/history/.

moto keeps its state in memory only, so each change is written down as it is made (moto_internals
observes it): DynamoDB items and SSM parameters as lines appended to a journal (the item after the
write, or null once deleted), S3 objects as files. A kill -9 loses nothing that was answered: each
line reaches the kernel before the request's answer leaves. At start-up the journals are folded to
their last word per key, rewritten that compact, and loaded back before the gateway takes a request.
The emulated EC2 is not kept: its instances died with the daemon's processes (local/recovery.py ends
their runs), and an AMI snapshot is registered again from its record.
"""
import json
import os
import threading
import urllib.parse
from pathlib import Path

from local import moto_internals

COMPACT_AT_BYTES = 64 * 1024 * 1024  # a journal this much over its last compaction is folded again


class History:
    def __init__(self, directory: Path):
        self.directory = directory
        self.objects = directory / "s3"
        self._lock = threading.Lock()
        self._journals: dict = {}
        self._compacted: dict = {}

    def restore(self) -> dict:
        """Load what was kept into the freshly deployed emulator, then keep what changes. Counts, by kind."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        items, parameters = self._fold("dynamodb"), self._fold("ssm")
        by_table: dict = {}
        for (region, table, _), item in items.items():
            by_table.setdefault((region, table), []).append(item)
        for (region, table), found in by_table.items():
            moto_internals.load_items(region, table, found)
        from functions.aws import clients
        for (region, name), parameter in parameters.items():
            clients.ssm(region).put_parameter(Name=name, Value=parameter["value"], Type=parameter["type"],
                                              Overwrite=True)
        objects = self._restore_objects()
        for kind, folded in (("dynamodb", items), ("ssm", parameters)):
            self._rewrite(kind, folded)
        moto_internals.observe(dynamodb=self._item_written, s3=self._object_written, ssm=self._parameter_written)
        return {"items": len(items), "parameters": len(parameters), "objects": objects}

    def close(self) -> None:
        moto_internals.observe()
        with self._lock:
            for journal in self._journals.values():
                journal.close()
            self._journals.clear()

    # -- what moto tells as it happens

    def _item_written(self, region: str, table: str, key: dict, item: dict | None) -> None:
        self._append("dynamodb", {"region": region, "table": table, "key": key, "item": item})

    def _parameter_written(self, region: str, name: str, parameter: dict | None) -> None:
        self._append("ssm", {"region": region, "name": name, "parameter": parameter})

    def _object_written(self, bucket: str, key: str, data: bytes | None, modified: float | None) -> None:
        path = self.objects / bucket / urllib.parse.quote(key, safe="")
        if data is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.utime(partial, (modified, modified))  # the object's own time, given back at restore
        partial.replace(path)  # a kill mid-write leaves the old object (or none), never half of one

    def _append(self, kind: str, entry: dict) -> None:
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            journal = self._journals.get(kind)
            if journal is None:
                journal = self._journals[kind] = open(self._path(kind), "a", encoding="utf-8")
            journal.write(line)
            journal.flush()  # to the kernel: a kill -9 of this process no longer loses it
            if journal.tell() > self._compacted.get(kind, 0) + COMPACT_AT_BYTES:
                journal.close()
                del self._journals[kind]
                self._rewrite(kind, self._fold(kind))

    # -- journals

    def _path(self, kind: str) -> Path:
        return self.directory / f"{kind}.jsonl"

    def _fold(self, kind: str) -> dict:
        """The last word per key; a line cut short by a kill (the last one) is left out."""
        folded: dict = {}
        try:
            lines = self._path(kind).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return folded
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if kind == "dynamodb":
                key = (entry["region"], entry["table"], json.dumps(entry["key"], sort_keys=True))
                value = entry["item"]
            else:
                key, value = (entry["region"], entry["name"]), entry["parameter"]
            if value is None:
                folded.pop(key, None)
            else:
                folded[key] = value
        return folded

    def _rewrite(self, kind: str, folded: dict) -> None:
        path = self._path(kind)
        compact = path.with_name(path.name + ".compact")
        with open(compact, "w", encoding="utf-8") as out:
            for key, value in folded.items():
                entry = {"region": key[0], "table": key[1], "key": json.loads(key[2]), "item": value} \
                    if kind == "dynamodb" else {"region": key[0], "name": key[1], "parameter": value}
                out.write(json.dumps(entry, separators=(",", ":")) + "\n")
        compact.replace(path)
        self._compacted[kind] = os.path.getsize(path)

    def _restore_objects(self) -> int:
        count = 0
        for bucket in sorted(self.objects.iterdir()) if self.objects.is_dir() else ():
            for path in sorted(bucket.iterdir()):
                if path.name.endswith(".partial"):  # cut short by a kill: never answered as stored
                    path.unlink()
                    continue
                moto_internals.load_object(bucket.name, urllib.parse.unquote(path.name), path.read_bytes(),
                                           path.stat().st_mtime)
                count += 1
        return count
