"""The CLI in-process: `repl_main(*argv)` -> (exit_code, stdout, stderr), against a fake control plane
on a real local HTTP server and a fake `local.control`. No sleeping: the injected sleep records, and
the clock stands still at NOW unless a test moves it. Each test starts in its own empty HOME, in
~/work: no repl.toml from the checkout or above it is ever read."""
import io
import os
import socket
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime

import pytest

from repl.cli import main
from repl.environment import Environment
from tests.cli.fake_plane import FakePlane, make_run, start

Result = namedtuple("Result", "exit_code stdout stderr")
__all__ = ["make_run", "Result", "LocalState", "step", "NOW"]
# 42 s after make_run's created_at: a run the fake plane scripts has been going for 42 s
NOW = datetime.fromisoformat("2026-11-26T17:00:42+00:00").timestamp()


def step(status, *entries, **fields) -> tuple:
    """A script step: the run's status (and fields) and the (stream, data) entries it logs."""
    return ({"status": status, **fields}, list(entries))


@dataclass(frozen=True)
class LocalState:  # the shape of local.control.LocalState
    api_url: str
    aws_endpoint: str = "http://127.0.0.1:8751"
    region: str = "us-east-1"
    control_id: str = "k3j9xa"
    token: str = "local-token"
    pid: int = 4242


class FakeControl:
    class LocalError(Exception):
        pass

    def __init__(self):
        self.state, self.calls, self.up_error = None, [], None
        self.running, self.stuck = [], []  # runs in flight; those a cancel does not end in time

    def in_flight(self, home):
        self.calls.append(("in_flight", home))
        return list(self.running)

    def cancel_all(self, home, run_ids):
        self.calls.append(("cancel_all", home, tuple(run_ids)))
        return [r for r in run_ids if r in self.stuck]

    def status(self, home):
        self.calls.append(("status", home))
        return self.state

    def up(self, home):
        self.calls.append(("up", home))
        if self.up_error:
            raise self.LocalError(self.up_error)
        self.state = self.state or LocalState("http://127.0.0.1:8750")
        return self.state

    def down(self, home):
        self.calls.append(("down", home))
        stopped, self.state = self.state is not None, None
        return stopped


class TTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def plane():
    fake = FakePlane()
    server = start(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """HOME; the cwd is ~/work (`repl run` from ~ itself is refused: it would ship ~/.aws)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    return tmp_path


@pytest.fixture
def cwd(home):
    return home / "work"


@pytest.fixture
def project(home):
    """project(text) writes ~/proj/repl.toml (with an empty ~/proj/src to run from) and returns its path."""
    root = home / "proj"
    (root / "src").mkdir(parents=True)

    def write(text: str):
        (root / "repl.toml").write_text(text)
        return root / "repl.toml"

    return write


@pytest.fixture
def control():
    return FakeControl()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def repl_main(home, control, sleeps):
    def run(*argv, env=None, server=None, sleep=None, tty=False, err_tty=False, terminal=False, clock=None) -> Result:
        """tty / err_tty: stdout / stderr is a terminal; terminal: both are the same one (stdout then
        holds everything, as the screen would)."""
        environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
        if server is not None:
            environ["SKYREPL_CONTROL_PLANE_URL"] = server.url
        environ.update(env or {})
        out, err = TTY() if tty else io.StringIO(), TTY() if err_tty else io.StringIO()
        if terminal:
            out = err = TTY()
        io_env = Environment(stdout=out, stderr=err, environ=environ, sleep=sleep or sleeps.append,
                             clock=clock or (lambda: NOW), local_control=control)
        code = main(list(argv), io_env)
        return Result(code, out.getvalue(), "" if terminal else err.getvalue())

    return run


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                 "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no 1 s wait on the instance metadata service


def screen(text: str) -> list[str]:
    """What a terminal shows after `text`: \r returns to the line's start, later characters overwrite."""
    lines, column = [""], 0
    for char in text:
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("")
            column = 0
        else:
            line = lines[-1].ljust(column)
            lines[-1] = line[:column] + char + line[column + 1:]
            column += 1
    return [line.rstrip() for line in lines]


def interrupt(_seconds):
    raise KeyboardInterrupt


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
