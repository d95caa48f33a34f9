"""Events from the control plane (start_run, cancel_run, ssh_keys) turned into runs, each at most once."""
import json
import logging
from typing import Optional

from agent import sse
from agent.executor import Run
from agent.output import Policy
from agent.ssh_keys import AuthorizedKeys

log = logging.getLogger("agent")

DEFAULT_RETRY_MS = 1000  # when an events answer carries no `retry:`
KILL_SETTLE_SECONDS = 5.0  # after SIGKILL, how long to wait for the process to be reaped
REPORT_WAIT_SECONDS = 5.0  # then, for its last logs and exit status (the control plane may be gone)


class Dispatcher:
    def __init__(self, cfg, client, run_factory=Run):
        self._cfg, self._client, self._run_factory = cfg, client, run_factory
        self.runs = {}  # type: Dict[str, Run]
        self.last_event_id = 0  # the highest event id handled: sent back as Last-Event-ID (the ack)
        self.policy = Policy(cfg.log_batch_seconds, cfg.log_batch_bytes)  # shared by every run's shipper
        self._log_seq = 0  # the control plane's last stored batch, at registration
        self.ssh_keys = AuthorizedKeys(cfg.authorized_keys)  # the run owner's, while the run goes on
        self._kept = set()  # runs whose instance stays after the command (--keep-alive): their keys stay too

    def registered(self, reply: dict) -> None:
        """The register answer: how to batch output, where its numbering goes on, and (usually) the
        command, at once."""
        self.policy.update(reply.get("output"))
        self._state(reply)
        seq = reply.get("log_seq")
        self._log_seq = seq if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0 else 0
        start = reply.get("start_run")
        if isinstance(start, dict) and isinstance(start.get("run_id"), str):
            self._start_run(start)

    def handle(self, text: str) -> int:
        """Dispatch the new events in an SSE body; the `retry:` (ms) to wait before the next poll."""
        retry_ms, events = sse.parse(text)
        for event in events:
            number = _event_number(event.id)
            if number is not None and number <= self.last_event_id:
                continue  # handled before: events are at most once
            self._dispatch(event)
            if number is not None:
                self.last_event_id = number
        return DEFAULT_RETRY_MS if retry_ms is None else retry_ms

    def latest_deadline_ms(self) -> Optional[float]:
        deadlines = [r.deadline_ms for r in self.runs.values() if r.deadline_ms is not None]
        return max(deadlines) if deadlines else None

    def tick(self) -> None:
        """Each turn of the agent's loop: expired SSH keys out, and every one once the run has ended."""
        if self._ended():
            self.ssh_keys.clear()
        else:
            self.ssh_keys.tick()

    def _ended(self) -> bool:
        """Every run has reported, and none keeps the instance for its user (the control plane ends a kept one)."""
        return (bool(self.runs) and all(run.reported.is_set() for run in self.runs.values())
                and not self._kept.intersection(self.runs))

    def stop_all(self) -> None:
        """The agent is leaving: kill every command still running (SIGTERM, grace, SIGKILL), then give
        its last logs and exit status a moment to go out."""
        self.ssh_keys.clear()
        for run in self.runs.values():
            run.stop()
        for run in self.runs.values():
            run.wait_exited(self._cfg.kill_grace_seconds + KILL_SETTLE_SECONDS)
        for run in self.runs.values():
            run.reported.wait(REPORT_WAIT_SECONDS)

    def _dispatch(self, event: sse.Event) -> None:
        try:
            data = json.loads(event.data)
        except ValueError:
            data = None
        handler = {"start_run": self._start_run, "cancel_run": self._cancel_run, "state": self._state,
                   "ssh_keys": self._ssh_keys}.get(event.type)
        if event.type == "state" and isinstance(data, dict):
            return self._state(data)
        if handler is None or not isinstance(data, dict) or not isinstance(data.get("run_id"), str):
            log.warning("ignoring event id=%s type=%s: unknown type or bad data", event.id, event.type)
            return
        handler(data)

    def _start_run(self, data: dict) -> None:
        run_id, command, deadline_ms = data["run_id"], data.get("command"), data.get("deadline_ms")
        if run_id in self.runs:
            log.info("run %s: already started, ignoring a second start_run", run_id)
            return
        if not isinstance(command, str) or not command:
            log.error("run %s: start_run without a command, ignored", run_id)
            return
        if isinstance(deadline_ms, bool) or not isinstance(deadline_ms, (int, float)):
            deadline_ms = None  # no deadline of its own: the dead-man's timer and the sweeper remain
        run = self._run_factory(self._client, self._cfg, run_id, command, deadline_ms, self._cfg.workdir,
                                spot=data.get("spot") is True,  # only a spot run watches IMDS
                                wants_env=data.get("env") is True,  # its values: GET /v1/agent/env
                                archive=data.get("archive") if isinstance(data.get("archive"), dict) else None,
                                artifact_globs=_strings(data.get("artifacts")), policy=self.policy,
                                first_seq=self._log_seq)
        self.runs[run_id] = run
        if data.get("keep_alive") is True:
            self._kept.add(run_id)
        run.start()

    def _state(self, data: dict) -> None:
        """`attached`: whether a follower reads the output now; one who just came gets what is waiting."""
        attached = data.get("attached")
        if isinstance(attached, bool):
            came = attached and not self.policy.attached
            self.policy.attached = attached
            for run in self.runs.values() if came else ():
                run.shipper.flush()

    def _ssh_keys(self, data: dict) -> None:
        """The run's whole list of keys, instead of what was installed (none once the run has ended)."""
        if self._ended():
            self.ssh_keys.clear()
        else:
            self.ssh_keys.replace(data.get("keys"), data["run_id"])

    def _cancel_run(self, data: dict) -> None:
        run = self.runs.get(data["run_id"])
        if run is None:
            log.warning("run %s: cancel_run for a run never started, ignored", data["run_id"])
        else:
            run.cancel()


def _strings(value) -> list:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def _event_number(event_id: Optional[str]) -> Optional[int]:
    try:
        return int(event_id) if event_id is not None else None
    except ValueError:
        return None  # not a number: handled, but it cannot be acked
