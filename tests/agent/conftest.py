"""Fixtures: a fake control plane, and the agent as a real subprocess pointed at it.

SKYREPL_AGENT_TEST_PYTHON picks the interpreter the agent runs under (e.g. a Python 3.8), so the
same tests prove the agent on the oldest Python it supports.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent_plane import TOKEN, FakePlane  # pytest puts this folder on sys.path (no __init__.py here)

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # the in-process tests import `agent` from the repo itself
    sys.path.insert(0, str(REPO_ROOT))
AGENT_PYTHON = os.environ.get("SKYREPL_AGENT_TEST_PYTHON") or sys.executable
FAST = {  # every timing shortened so the folder runs in seconds
    "SKYREPL_LOG_BATCH_SECONDS": "0.05",
    "SKYREPL_KILL_GRACE_SECONDS": "0.5",
    "SKYREPL_BACKOFF_FIRST_SECONDS": "0.05",
    "SKYREPL_BACKOFF_MAX_SECONDS": "0.2",
}


class AgentProcess:
    def __init__(self, popen, stderr_path, tmp_path):
        self.popen, self.stderr_path, self.tmp_path = popen, stderr_path, tmp_path

    def wait(self, timeout=10.0):
        return self.popen.wait(timeout)

    def stderr(self):
        return self.stderr_path.read_text(errors="replace")

    def powered_off(self):
        return (self.tmp_path / "powered-off").exists()


@pytest.fixture
def plane():
    p = FakePlane()
    yield p
    p.stop()


@pytest.fixture
def start_agent(plane, tmp_path):
    """start_agent(**env) → AgentProcess. At teardown the plane answers 410, which stops the agent
    and its command (a command runs in its own session: killing only the agent would leak it)."""
    started = []

    def start(argv_prefix=("-m", "agent"), **env):
        started.append(_spawn(plane, tmp_path, list(argv_prefix), env))
        start.last = started[-1]
        return start.last

    yield start
    plane.gone = True
    for agent in started:
        try:
            agent.wait(10)
        except subprocess.TimeoutExpired:
            agent.popen.kill()
            agent.popen.wait()


def _authorized_keys(tmp_path) -> Path:
    return tmp_path / "home" / "ubuntu" / ".ssh" / "authorized_keys"


@pytest.fixture
def authorized_keys(tmp_path) -> Path:
    """Where an agent the tests start writes SSH keys: a home of its own under the test's directory."""
    return _authorized_keys(tmp_path)


def _spawn(plane, tmp_path, argv_prefix, env_overrides):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(FAST, PYTHONPATH=str(REPO_ROOT), SKYREPL_POWEROFF_CMD="touch " + str(tmp_path / "powered-off"),
               SKYREPL_AUTHORIZED_KEYS=str(_authorized_keys(tmp_path)))  # never the real ~/.ssh
    env.update(env_overrides)
    stderr_path = tmp_path / "agent.stderr"
    cmd = [AGENT_PYTHON] + argv_prefix + ["--api-url", plane.url, "--token-file", str(token_file)]
    popen = subprocess.Popen(cmd, env=env, cwd=str(tmp_path), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=stderr_path.open("wb"))
    return AgentProcess(popen, stderr_path, tmp_path)


@pytest.fixture
def run_command(plane, start_agent):
    """run_command(command, deadline_s=30, **env) → the exited status body, once the agent sent it."""

    def run(command, deadline_s=30.0, **env):
        deadline_ms = int((time.time() + deadline_s) * 1000)
        plane.add_event("start_run", {"run_id": "r1", "command": command, "deadline_ms": deadline_ms})
        start_agent(**env)
        return plane.wait_for(plane.exited, timeout=deadline_s + 10)

    return run
