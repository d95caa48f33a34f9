"""One run, start to finish, on its own thread: started → spawn → wait → drain output → exited.

The exit report carries the command's own exit code (128+N for a death by signal N), or exit_code
null with `cancelled: true` (cancel_run) / `timed_out: true` (deadline_ms) when the agent killed it
for one of those. When the agent itself is stopping (SIGTERM, 410, power-off) it kills the command
with stop(): that is no cancel, so the report is the plain death by signal, as a shutdown would give.
"""
import logging
import threading
import time
from typing import Callable, Optional

from agent import process
from agent.shipper import LogShipper

log = logging.getLogger("agent")

STATUS_PATH = "/v1/agent/status"
SPAWN_FAILED_EXIT_CODE = 127  # the shell's "could not run it" code, for a workdir or fork failure
WALL_CLOCK_POLL_SECONDS = 1.0  # re-read the wall clock this often: NTP may step it early in boot
FLAGGED_KILLS = ("cancelled", "timed_out")  # reported as `<reason>: true`, exit_code null


class Run:
    def __init__(self, client, cfg, run_id: str, command: str, deadline_ms: Optional[float], workdir: str,
                 now: Callable[[], float] = time.time):
        self._client, self._cfg, self._now = client, cfg, now
        self.run_id, self.deadline_ms = run_id, deadline_ms
        self._command, self._workdir = command, workdir
        self._wake = threading.Event()  # the process exited, or a kill was asked for
        self._exited = threading.Event()  # the process (the group's leader) has been reaped
        self._kill_reason = None  # type: Optional[str]
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

    def wait_exited(self, timeout: float) -> bool:
        return self._exited.wait(timeout) or not self._thread.is_alive()

    def _kill(self, reason: str) -> None:
        self._kill_reason = self._kill_reason or reason
        self._wake.set()

    def _main(self) -> None:
        self._client.deliver(STATUS_PATH, {"run_id": self.run_id, "status": "started"}, "status started")
        shipper = LogShipper(self._client, self.run_id, self._cfg.log_batch_seconds, self._cfg.log_batch_bytes)
        shipper.start()
        outcome = self._execute(shipper)
        shipper.close_and_flush()  # every log batch goes before the exit status
        self._exited.set()
        if outcome is not None:
            log.info("run %s: exited %s", self.run_id, outcome)
            self._client.deliver(STATUS_PATH, dict(outcome, run_id=self.run_id, status="exited"), "status exited")
        self.reported.set()

    def _execute(self, shipper: LogShipper) -> Optional[dict]:
        """Run the command to its end; what to report (None: it never started, as the agent is stopping)."""
        if self._kill_reason:  # asked to die while "started" was still being delivered
            return {"exit_code": None, "cancelled": True} if self._kill_reason == "cancelled" else None
        try:
            proc = process.spawn(self._command, self._workdir)
        except OSError as err:
            shipper.put("stderr", "skyrepl-agent: cannot start the command: {}\n".format(err))
            return {"exit_code": SPAWN_FAILED_EXIT_CODE}
        log.info("run %s: started pid %d", self.run_id, proc.pid)
        readers = process.start_readers(proc, shipper.put)
        threading.Thread(target=self._reap, args=(proc,), name="reap-" + self.run_id, daemon=True).start()
        killed_for = self._supervise(proc.pid)
        process.join_readers(readers, proc.pid)
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
            reason = self._kill_reason or ("timed_out" if self._past_deadline() else None)
            if reason:
                log.info("run %s: %s, killing process group %d", self.run_id, reason.replace("_", " "), pgid)
                process.kill_group(pgid, self._cfg.kill_grace_seconds, self._exited)
                self._exited.wait()
                return reason
            self._wake.wait(self._next_look())  # once set, the next pass returns
        return None

    def _next_look(self) -> float:
        if self.deadline_ms is None:
            return WALL_CLOCK_POLL_SECONDS
        return max(0.0, min(WALL_CLOCK_POLL_SECONDS, self.deadline_ms / 1000 - self._now()))

    def _past_deadline(self) -> bool:
        return self.deadline_ms is not None and self._now() * 1000 >= self.deadline_ms
