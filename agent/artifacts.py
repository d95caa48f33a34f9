"""Artifacts (`repl run --artifacts GLOB`): once the command has ended, for whatever reason, the files
its globs match in its working directory are offered to the control plane (POST /v1/agent/artifacts),
which answers a presigned PUT URL per file; the bytes go straight to S3, before the exit report.

Best effort within a time limit (limit()): the instance must not outlive its deadline, a cancel or a
spot notice for their sake. Problems go to the run's stderr, prefixed `skyrepl-agent:`.
"""
import json
import threading
import time
import urllib.request
from typing import Callable, List, Optional, Sequence

from agent.client import TransportError
from agent.globs import Found, find

ARTIFACTS_PATH = "/v1/agent/artifacts"
MAX_FILES = 1000  # as the control plane takes (functions/core/artifacts.py)
MAX_FILE_BYTES = 5 * 1024 ** 3  # one PUT's limit in S3
# The control plane's backstop comes 15 s after the deadline (functions/core/states.py
# AGENT_REPORT_GRACE_SECONDS): the uploads stop in time for the exit report to beat it.
AFTER_DEADLINE_SECONDS = 10.0
BEFORE_GOING_SECONDS = 5.0  # a spot instance: stop this long before AWS takes it
NO_DEADLINE_SECONDS = 900.0  # a run without a deadline of its own
SAY_UPLOADING_BYTES = 50 * 1000 ** 2  # from here, a line on the run's stderr says the upload has begun
PUT_TIMEOUT_SECONDS = 60.0  # per socket read or write, not per file
CHUNK = 1 << 20

Say = Callable[[str, str], None]  # (stream, text): the run's own output


def limit(now: float, deadline_ms: Optional[float], kill_reason: Optional[str], kill_asked_at: Optional[float],
          goes_at: Optional[float], cancel_seconds: float) -> float:
    """When uploading must have stopped (epoch s); at or before `now` means there is no time at all."""
    if kill_reason == "stopped" and goes_at is None:
        return now  # the agent itself is going away (shutdown, SIGTERM): no time to spend
    limits = [now + NO_DEADLINE_SECONDS]
    if deadline_ms is not None:
        limits.append(deadline_ms / 1000 + AFTER_DEADLINE_SECONDS)
    if kill_reason == "cancelled" and kill_asked_at is not None:
        limits.append(kill_asked_at + cancel_seconds)  # the control plane's cancel grace is longer
    if goes_at is not None:
        limits.append(goes_at - BEFORE_GOING_SECONDS)
    return min(limits)


def upload(client, run_id: str, root: str, globs: Sequence[str], until: float, say: Say,
           now: Callable[[], float] = time.time) -> None:
    """Find and upload them on a thread of their own, waited for until `until` at most."""
    if until <= now():
        return
    done, total = [], []  # paths uploaded, and how many were to be: written by the worker
    worker = threading.Thread(target=_find_and_send, args=(client, run_id, root, globs, say, done, total),
                              name="artifacts", daemon=True)
    worker.start()
    worker.join(max(0.0, until - now()))
    if worker.is_alive():  # a daemon: left behind, it dies with the agent
        say("stderr", "skyrepl-agent: artifacts: time ran out after {} of {} files\n".format(
            len(done), total[0] if total else "?"))


def _find_and_send(client, run_id: str, root: str, globs: Sequence[str], say: Say, done: list, total: list) -> None:
    files, unmatched = find(root, globs)
    for pattern in unmatched:
        say("stderr", "skyrepl-agent: --artifacts {!r} matched no file\n".format(pattern))
    for f in [f for f in files if f.size > MAX_FILE_BYTES]:
        say("stderr", "skyrepl-agent: artifact {} skipped: larger than S3's 5 GiB for one upload\n".format(f.path))
    files = [f for f in files if f.size <= MAX_FILE_BYTES]
    if len(files) > MAX_FILES:
        say("stderr", "skyrepl-agent: {} artifacts matched; uploading the first {} by path\n".format(
            len(files), MAX_FILES))
        files = files[:MAX_FILES]
    total.append(len(files))
    size = sum(f.size for f in files)
    if size >= SAY_UPLOADING_BYTES:  # long enough to wonder why the run has not ended: say why
        say("stderr", "skyrepl-agent: uploading {} artifact{} ({:.1f} MB)\n".format(
            len(files), "" if len(files) == 1 else "s", size / 1e6))
    if files:
        _send(client, run_id, files, say, done)


def _send(client, run_id: str, files: List[Found], say: Say, done: List[str]) -> None:
    offer = {"run_id": run_id, "files": [{"path": f.path, "size": f.size} for f in files]}
    try:
        resp = client.call("POST", ARTIFACTS_PATH, offer)
        urls = {u["path"]: u["url"] for u in json.loads(resp.body.decode("utf-8"))["uploads"]} if resp.ok else None
    except (TransportError, ValueError, KeyError, TypeError) as err:
        resp, urls = None, None
        say("stderr", "skyrepl-agent: artifacts not uploaded: {}\n".format(err))
    if urls is None:
        if resp is not None:
            say("stderr", "skyrepl-agent: artifacts not uploaded: {}\n".format(resp.summary()))
        return
    for f in files:
        problem = _put(urls.get(f.path), f)
        if problem:
            say("stderr", "skyrepl-agent: artifact {} not uploaded: {}\n".format(f.path, problem))
        else:
            done.append(f.path)


def _put(url: Optional[str], f: Found) -> Optional[str]:
    """PUT exactly f.size bytes (the size the URL signs, even if the file has grown since); why not."""
    if not url:
        return "the control plane gave no URL for it"
    try:
        with open(f.full, "rb") as body:
            request = urllib.request.Request(url, data=_Exactly(body, f.size), method="PUT", headers={
                "Content-Length": str(f.size), "Content-Type": "application/octet-stream"})
            with urllib.request.urlopen(request, timeout=PUT_TIMEOUT_SECONDS) as resp:
                resp.read()
    except (OSError, ValueError) as err:  # HTTPError and URLError are OSErrors
        return str(err)
    return None


class _Exactly:
    """A file read to at most n bytes: what http.client streams as a request body."""

    def __init__(self, body, n: int):
        self._body, self._left = body, n

    def read(self, size: int = CHUNK) -> bytes:
        data = self._body.read(min(size if size and size > 0 else CHUNK, self._left))
        self._left -= len(data)
        return data
