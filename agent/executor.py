"""One run, start to finish, on its own thread: started → spawn → wait → drain output → exited.

The exit report carries the command's own exit code (128+N for a death by signal N), or exit_code
null with `cancelled: true` (cancel_run) / `timed_out: true` (deadline_ms) / `interrupted: true` (a spot
interruption notice) when the agent killed it for one of those. When the agent itself is stopping
(SIGTERM, 410, power-off) it kills the command with stop(): that is no cancel, so the report is the
plain death by signal, as a shutdown would give, unless a spot interruption notice came first.

A spot run watches IMDS (agent/imds.py). On a notice it reports `interrupted` before anything else,
flushes the output so far, and lets the command run on until spot_kill_margin_seconds before the
instance goes (AWS gives two minutes): then SIGTERM, grace, SIGKILL, last logs, `interrupted: true`.

However the command ended, its artifacts (agent/artifacts.py) are uploaded before the exit report.
"""
import logging
import threading
import time
from typing import Callable, Optional, Sequence

from agent import artifacts, imds, process
from agent.launch import SPAWN_FAILED_EXIT_CODE, launch
from agent.shipper import LogShipper

log = logging.getLogger("agent")

STATUS_PATH = "/v1/agent/status"
WALL_CLOCK_POLL_SECONDS = 1.0  # re-read the wall clock this often: NTP may step it early in boot
FLAGGED_KILLS = ("cancelled", "timed_out", "interrupted")  # reported as `<reason>: true`, exit_code null


class Run:
    def __init__(self, client, cfg, run_id: str, command: str, deadline_ms: Optional[float], workdir: str,
                 spot: bool = False, now: Callable[[], float] = time.time, wants_env: bool = False,
                 archive: Optional[dict] = None, artifact_globs: Sequence[str] = (), policy=None, first_seq: int = 0):
        self._client, self._cfg, self._now = client, cfg, now
        self.run_id, self.deadline_ms, self.spot = run_id, deadline_ms, spot
        self._command, self._workdir, self._wants_env, self._archive = command, workdir, wants_env, archive
        self._artifact_globs, self._cwd = list(artifact_globs), None  # _cwd: where the command ran, once spawned
        self.shipper = LogShipper(client, run_id, cfg.log_batch_seconds, cfg.log_batch_bytes, policy=policy,
                                   first_seq=first_seq)
        self._reporting = threading.Lock()  # the interrupted report always goes before the exited one
        self._interrupt_at = self._goes_at = None  # type: Optional[float]  # epoch s: kill it / the instance goes
        self._wake = threading.Event()  # the process exited, or a kill was asked for
        self._exited = threading.Event()  # the process (the group's leader) has been reaped
        self._kill_reason = None  # type: Optional[str]
        self._kill_asked_at = None  # type: Optional[float]
        self.reported = threading.Event()  # the exited status has been sent (or refused), or never will be
        self._thread = threading.Thread(target=self._main, name="run-" + run_id, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """cancel_run: kill the command (SIGTERM, grace, SIGKILL) on the run thread; returns at once."""
        self._kill("cancelled")

    def stop(self) -> None:
        """The agent is going away: kill the command, report however it died."""
        self._kill("stopped")

    def interrupt(self, notice: imds.Notice) -> None:
        """A spot interruption notice (on the IMDS watcher's thread): report it, flush the output so far,
        and have the command killed spot_kill_margin_seconds before the instance goes."""
        with self._reporting:
            if self.reported.is_set():
                return  # the command has ended and been reported: nothing left to interrupt
            body = {"run_id": self.run_id, "status": "interrupted", "action": notice.action, "time": notice.time}
            self._client.deliver(STATUS_PATH, body, "status interrupted")
            self.shipper.flush()
            self._interrupt_at = max(self._now(), notice.at - self._cfg.spot_kill_margin_seconds)
            self._goes_at = notice.at
        if self._due():  # a later kill is seen by the supervisor's next look (a set _wake stays set)
            self._wake.set()

    def wait_exited(self, timeout: float) -> bool:
        return self._exited.wait(timeout) or not self._thread.is_alive()

    def _kill(self, reason: str) -> None:
        self._kill_reason, self._kill_asked_at = self._kill_reason or reason, self._kill_asked_at or self._now()
        self._wake.set()

    def _main(self) -> None:
        self._client.deliver(STATUS_PATH, {"run_id": self.run_id, "status": "started"}, "status started")
        self.shipper.start()
        watcher = imds.SpotWatcher(imds.Imds(self._cfg.imds_url), self._cfg.imds_poll_seconds, self.interrupt)
        if self.spot:
            watcher.start()
        outcome = self._execute(self.shipper)
        watcher.stop()
        if outcome is not None and self._artifact_globs and self._cwd:  # the logs keep flowing meanwhile
            until = artifacts.limit(self._now(), self.deadline_ms, self._kill_reason, self._kill_asked_at,
                                    self._goes_at, self._cfg.artifact_cancel_seconds)
            artifacts.upload(self._client, self.run_id, self._cwd, self._artifact_globs, until, self.shipper.put)
        self.shipper.close_and_flush()  # every log batch goes before the exit status
        self._exited.set()
        with self._reporting:
            if outcome is not None:
                log.info("run %s: exited %s", self.run_id, outcome)
                self._client.deliver(STATUS_PATH, dict(outcome, run_id=self.run_id, status="exited"),
                                     "status exited")
            self.reported.set()

    def _execute(self, shipper: LogShipper) -> Optional[dict]:
        """Run the command to its end; what to report (None: it never started, as the agent is stopping)."""
        if self._kill_reason:  # asked to die while "started" was still being delivered
            return {"exit_code": None, "cancelled": True} if self._kill_reason == "cancelled" else None
        proc, self._cwd = launch(self._client, self.run_id, self._command, self._workdir, self._wants_env,
                                 self._archive, shipper.put)
        if proc is None:
            return {"exit_code": SPAWN_FAILED_EXIT_CODE}
        log.info("run %s: started pid %d", self.run_id, proc.pid)
        readers = process.start_readers(proc, shipper.put)
        threading.Thread(target=self._reap, args=(proc,), name="reap-" + self.run_id, daemon=True).start()
        killed_for = self._supervise(proc.pid)
        process.join_readers(readers, proc.pid)
        if killed_for == "stopped" and self._interrupt_at is not None:
            killed_for = "interrupted"  # the instance is going away, as the notice said
        if killed_for in FLAGGED_KILLS:
            return {"exit_code": None, killed_for: True}
        return {"exit_code": process.exit_code(proc.returncode)}

    def _reap(self, proc) -> None:
        proc.wait()
        self._exited.set()
        self._wake.set()

    def _supervise(self, pgid: int) -> Optional[str]:
        """Wait for the exit, a kill request or the deadline; why the agent killed it, if it did."""
        while not self._exited.is_set():
            reason = self._kill_reason or self._due()
            if reason:
                log.info("run %s: %s, killing process group %d", self.run_id, reason.replace("_", " "), pgid)
                process.kill_group(pgid, self._cfg.kill_grace_seconds, self._exited)
                self._exited.wait()
                return reason
            self._wake.wait(self._next_look())  # once set, the next pass returns
        return None

    def _due(self) -> Optional[str]:
        """The kill whose time has come: the deadline's, or a spot interruption's."""
        now = self._now()
        if self.deadline_ms is not None and now * 1000 >= self.deadline_ms:
            return "timed_out"
        return "interrupted" if self._interrupt_at is not None and now >= self._interrupt_at else None

    def _next_look(self) -> float:
        times = [t for t in (self._interrupt_at, None if self.deadline_ms is None else self.deadline_ms / 1000)
                 if t is not None]
        return max(0.0, min([WALL_CLOCK_POLL_SECONDS] + [t - self._now() for t in times]))
