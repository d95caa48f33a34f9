"""`repl local status`: a busy embedded stack is up (its daemon lives, its port takes connections),
however long it takes to answer; a dead one is down."""
import json
import os
import socket

import pytest

from local import control
from local.daemon import state_dir


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers: a gateway busy with other requests."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


def write_state(home, port: int, pid: int) -> None:
    state_dir(home).mkdir(parents=True)
    (state_dir(home) / "state.json").write_text(json.dumps({
        "api_url": f"http://127.0.0.1:{port}", "aws_endpoint": "http://127.0.0.1:1", "region": "us-east-1",
        "control_id": "abc123", "token": "t", "pid": pid}))


def test_a_busy_stack_is_up(tmp_path, silent_port):
    write_state(tmp_path, silent_port, os.getpid())
    state = control.status(tmp_path)
    assert state is not None and state.api_url.endswith(f":{silent_port}")


def test_a_stack_whose_daemon_died_is_down(tmp_path, silent_port):
    write_state(tmp_path, silent_port, 2 ** 22 + 12345)  # no such process
    assert control.status(tmp_path) is None


def test_a_stack_whose_port_is_closed_is_down(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    write_state(tmp_path, closed, os.getpid())
    assert control.status(tmp_path) is None
