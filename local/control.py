"""`repl local up|down|status`: start, stop and find the embedded stack's background process.

The home's lock (local/daemon.py) says whether a daemon lives, busy or not: `up` never starts a
second one beside it, and `down` finds it even before it has written state.json. `down` cancels the
runs in flight first (their teardown runs) unless told `now`; the next `up` ends any run a stop left
open (local/recovery.py)."""
import json
import os
import signal
import subprocess
import sys
import socket
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from local.daemon import holder, state_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 20
CONNECT_SECONDS = 5  # the kernel takes a connection to a listening port however busy the gateway is
CANCEL_TIMEOUT_SECONDS = 60  # for the runs in flight to end and their instances to be terminated
ACTIVE = ("pending", "provisioning", "booting", "running")


@dataclass(frozen=True)
class LocalState:
    api_url: str
    aws_endpoint: str
    region: str
    control_id: str
    token: str
    pid: int
    imds_url: str = ""  # the fake IMDS (local/imds.py): POST /_admin/<instance id>/spot-interruption


class LocalError(Exception):
    pass


def status(home: Path) -> LocalState | None:
    """The stack, if its daemon lives and its gateway's port takes connections. A busy stack is still
    up: this asks the process and the port, never a request that a busy gateway might answer late."""
    path = state_dir(home) / "state.json"
    try:
        state = LocalState(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return state if _alive(state.pid) and _listening(state.api_url) else None


def up(home: Path) -> LocalState:
    running = status(home)
    if running:
        return running
    directory = state_dir(home)
    if holder(directory):  # a daemon lives but does not answer yet (starting, or busy): wait for it
        return _wait_ready(home, None)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    (directory / "state.json").unlink(missing_ok=True)
    log = open(directory / "daemon.log", "ab")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "local.daemon", "--home", str(home)], stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    log.close()
    return _wait_ready(home, proc)


def in_flight(home: Path) -> list[str]:
    """The ids of the runs not ended yet (none if the stack is not up)."""
    state = status(home)
    if not state:
        return []
    found, cursor = [], None
    while True:
        page = _api(state, "GET", "/v1/runs?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
        found += [run["run_id"] for run in page["runs"] if run["status"] in ACTIVE]
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def cancel_all(home: Path, run_ids: list[str]) -> list[str]:
    """Cancel each run and wait until it has ended with its instance terminated; the ids still not so."""
    state = status(home)
    for run_id in run_ids:
        _api(state, "POST", f"/v1/runs/{run_id}/cancel")
    deadline, waiting = time.monotonic() + CANCEL_TIMEOUT_SECONDS, list(run_ids)
    while waiting and time.monotonic() < deadline:
        waiting = [r for r in waiting if not _ended_and_gone(_api(state, "GET", f"/v1/runs/{r}")["run"])]
        time.sleep(0.2 if waiting else 0)
    return waiting


def down(home: Path) -> bool:
    state = status(home) or _stale_state(home)
    pid = state.pid if state and _alive(state.pid) else holder(state_dir(home))
    if not pid or pid < 0 or not _alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    (state_dir(home) / "state.json").unlink(missing_ok=True)
    return True


def _wait_ready(home: Path, proc: subprocess.Popen | None) -> LocalState:
    """Until the daemon answers: the one just started (`proc`), or the one holding the lock."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = (state_dir(home) / "daemon.log").read_text(errors="replace")[-2000:]
            raise LocalError(f"the embedded stack exited during start-up (code {proc.returncode}):\n{tail}")
        if proc is None and not holder(state_dir(home)):
            return up(home)  # the daemon we waited for has gone: start one
        state = status(home)
        if state and (proc is None or state.pid == proc.pid) and _healthy(state):
            return state
        time.sleep(0.2)
    if proc is not None:
        proc.terminate()
    raise LocalError(f"the embedded stack was not ready after {START_TIMEOUT_SECONDS} s; see "
                     f"{state_dir(home) / 'daemon.log'}")


def _ended_and_gone(run: dict) -> bool:
    return run["status"] not in ACTIVE and bool(run.get("terminated_at") or not run.get("instance_id"))


def _api(state: LocalState, method: str, path: str) -> dict:
    request = urllib.request.Request(state.api_url + path, method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"Bearer {state.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def _stale_state(home: Path) -> LocalState | None:
    try:
        return LocalState(**json.loads((state_dir(home) / "state.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child that has exited
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _listening(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_SECONDS):
            return True
    except OSError:
        return False


def _healthy(state: LocalState) -> bool:
    request = urllib.request.Request(state.api_url + "/v1/health", headers={"Authorization": f"Bearer {state.token}"})
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False
