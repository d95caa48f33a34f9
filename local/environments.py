"""Lambda's execution model on one machine: per function, up to `limit` worker processes (execution
environments), each serving one request at a time, started on first need (a cold start) and kept.

The embedded gateway ran every request behind one lock, because Powertools keeps the current event
in a class attribute shared by every resolver of a process: two requests at once, in one process,
read each other's. Separate processes, as Lambda has, serve requests concurrently without that.
A worker is `python -m local.lambda_worker MODULE.HANDLER`, speaking one JSON line per request.
"""
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STOP_SECONDS = 5


class InvocationError(Exception):
    """The worker died or failed to answer: API Gateway's 502 (a Lambda that crashed)."""


class _Worker:
    def __init__(self, handler: str, log):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "local.lambda_worker", handler], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=log, env=env, cwd=REPO_ROOT)
        self.dead = False  # it failed to answer: never used again, even before its exit is visible

    def invoke(self, event: dict, function_name: str) -> dict:
        try:
            self.proc.stdin.write(json.dumps({"event": event, "function": function_name}).encode() + b"\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError) as err:
            self.dead = True
            raise InvocationError(f"the execution environment died: {err}") from None
        if not line:
            self.dead = True
            raise InvocationError(f"the execution environment exited (code {self.proc.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise InvocationError(answer["error"])
        return answer["result"]

    def alive(self) -> bool:
        return not self.dead and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Function:
    """One function's pool of execution environments."""

    def __init__(self, name: str, handler: str, limit: int, log=None):
        self.name, self.handler, self.limit, self._log = name, handler, limit, log
        self._idle: queue.LifoQueue = queue.LifoQueue()  # the warmest first, as Lambda reuses
        self._all: list = []
        self._lock = threading.Lock()
        self.cold_starts = 0

    def warm(self) -> "Function":
        self._idle.put(self._start())
        return self

    def invoke(self, event: dict) -> dict:
        worker = self._acquire()
        try:
            return worker.invoke(event, self.name)
        finally:
            self._release(worker)

    def _acquire(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            starting = len(self._all) < self.limit
            if starting:
                self._all.append(None)  # its place, taken now: others count it while it starts
        if starting:
            return self._start(placeholder=True)
        return self._idle.get()  # at the limit: wait for one to be free, as Lambda throttles at it

    def _release(self, worker: _Worker) -> None:
        if worker.alive():
            self._idle.put(worker)
            return
        with self._lock:  # a crashed environment is replaced on the next need
            self._all.remove(worker)

    def _start(self, placeholder: bool = False) -> _Worker:
        worker = _Worker(self.handler, self._log)
        with self._lock:
            if placeholder:
                self._all.remove(None)
            self._all.append(worker)
            self.cold_starts += 1
        return worker

    def stop(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), []
        for worker in workers:
            if worker is not None:
                worker.stop()
