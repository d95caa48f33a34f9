"""`repl local up|down|status`: start, stop and find the embedded stack's background process."""
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

from local.daemon import state_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 20
CONNECT_SECONDS = 5  # the kernel takes a connection to a listening port however busy the gateway is


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
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    (directory / "state.json").unlink(missing_ok=True)
    log = open(directory / "daemon.log", "ab")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "local.daemon", "--home", str(home)], stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    log.close()
    return _wait_ready(home, proc)


def down(home: Path) -> bool:
    state = status(home) or _stale_state(home)
    if not state or not _alive(state.pid):
        return False
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _alive(state.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(state.pid):
        os.killpg(state.pid, signal.SIGKILL)
    (state_dir(home) / "state.json").unlink(missing_ok=True)
    return True


def _wait_ready(home: Path, proc: subprocess.Popen) -> LocalState:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (state_dir(home) / "daemon.log").read_text(errors="replace")[-2000:]
            raise LocalError(f"the embedded stack exited during start-up (code {proc.returncode}):\n{tail}")
        state = status(home)
        if state and state.pid == proc.pid and _healthy(state):
            return state
        time.sleep(0.2)
    proc.terminate()
    raise LocalError(f"the embedded stack was not ready after {START_TIMEOUT_SECONDS} s; see "
                     f"{state_dir(home) / 'daemon.log'}")


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
