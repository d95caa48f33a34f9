"""The agent's main loop: register, then poll GET /v1/agent/events for ever (each poll is a heartbeat).

It stops in three ways: the control plane answers 410/401 (instance gone or token revoked: stop the
command, exit 0); the control plane has not answered 2xx for deadman_seconds; or the instance is still
alive deadline_poweroff_grace_seconds after the run's deadline. The last two power the machine off, as
does a crash of the agent itself (after writing its traceback to the console).
"""
import json
import logging
import platform
import socket
import subprocess
import sys
import time
import traceback
from typing import Callable, Optional

from agent import __version__
from agent.client import GONE_STATUSES, Response, TransportError, retryable
from agent.dispatch import Dispatcher

log = logging.getLogger("agent")

MAX_RETRY_SECONDS = 60.0  # whatever `retry:` says: the power-off checks and the heartbeat go on
HOLD_SECONDS = 15  # an events call may be held this long for news (well under the client's 30 s timeout)
EVENTS_PATH = "/v1/agent/events?wait={}".format(HOLD_SECONDS)


class Agent:
    def __init__(self, cfg, client, now: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 dispatcher: Optional[Dispatcher] = None):
        self._cfg, self._client, self._now, self._clock, self._sleep = cfg, client, now, clock, sleep
        self.dispatcher = dispatcher or Dispatcher(cfg, client)

    def run(self) -> int:
        try:
            code = self._register()
            return self._poll_forever() if code is None else code
        except Exception:  # noqa: BLE001 - a bug: no agent means no run, so the machine goes too
            # Panic diagnostics, best effort: the traceback goes to the console log (on EC2,
            # `aws ec2 get-console-output`), then the command is stopped and the machine powered off.
            log.critical("the agent crashed:\n%s", traceback.format_exc())
            return self._power_off("the agent crashed ({})".format(sys.exc_info()[1]))

    def _register(self) -> Optional[int]:
        """None once registered, else the exit code to stop with."""
        body = {"hostname": socket.gethostname(), "python": platform.python_version(),
                "agent_version": __version__}
        backoff = self._client.backoff()
        while True:
            reason = self._power_off_reason()
            if reason:
                return self._power_off(reason)
            try:
                resp = self._client.call("POST", "/v1/agent/register", body)
                if resp.ok:
                    reply = _json_object(resp.body)
                    log.info("registered: run %s", reply.get("run_id"))
                    if reply.get("session_token"):  # every later call uses it: the boot token is spent
                        self._client.use_token(reply["session_token"])
                    self.dispatcher.registered(reply)  # the command usually comes with it: it starts now
                    return None
                if not retryable(resp.status):  # 401: not our token; 410: already terminated
                    log.error("register refused: %s", resp.summary())
                    return 0 if resp.status == 410 else 1
                problem = resp.summary()
            except TransportError as err:
                problem = str(err)
            log.warning("register: %s; retrying in %.1f s", problem, backoff.delay)
            backoff.wait()

    def _poll_forever(self) -> int:
        backoff = self._client.backoff()
        while True:
            reason = self._power_off_reason()
            if reason:
                return self._power_off(reason)
            resp = self._get_events(backoff)
            if resp is None:
                continue
            if resp.status in GONE_STATUSES:
                log.info("events: %s: this instance is done, stopping", resp.summary())
                self.dispatcher.stop_all()
                return 0
            backoff.reset()
            retry_ms = self.dispatcher.handle(resp.body.decode("utf-8", "replace"))
            self.dispatcher.tick()  # expired SSH keys out (sshd itself refuses them already)
            self._sleep(min(retry_ms / 1000, MAX_RETRY_SECONDS))

    def _get_events(self, backoff) -> Optional[Response]:
        """A 2xx or a gone answer; None after any other outcome (the backoff already waited)."""
        headers = {"Accept": "text/event-stream"}
        if self.dispatcher.last_event_id:
            headers["Last-Event-ID"] = str(self.dispatcher.last_event_id)
        try:
            # may be held until there is something for this agent (the embedded stack holds it; AWS does not)
            resp = self._client.call("GET", EVENTS_PATH, headers=headers)
            if resp.ok or resp.status in GONE_STATUSES:
                return resp
            problem = resp.summary()
        except TransportError as err:
            problem = str(err)
        log.warning("events: %s; retrying in %.1f s", problem, backoff.delay)
        backoff.wait()
        return None

    def _power_off_reason(self) -> Optional[str]:
        silent = self._clock() - self._client.last_ok
        if silent > self._cfg.deadman_seconds:
            return "no answer from the control plane for {:.0f} s".format(silent)
        deadline_ms = self.dispatcher.latest_deadline_ms()
        grace_ms = self._cfg.deadline_poweroff_grace_seconds * 1000
        if deadline_ms is not None and self._now() * 1000 > deadline_ms + grace_ms:
            return "still running {:.0f} s after the run's deadline".format(grace_ms / 1000)
        return None

    def _power_off(self, reason: str) -> int:
        log.error("powering off: %s", reason)
        self.dispatcher.stop_all()
        code = subprocess.call(self._cfg.poweroff_cmd, shell=True)
        if code != 0:
            log.error("power-off command exited %d", code)
        return 0 if code == 0 else 1


def _json_object(raw: bytes) -> dict:
    try:
        found = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
