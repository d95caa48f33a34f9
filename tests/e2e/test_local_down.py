"""`repl local down` stops the embedded stack and every agent (and command) it started."""
from tests.e2e.conftest import Repl
from tests.e2e.test_run import SPEC, processes, wait_until


def test_local_down_takes_every_agent_and_its_command_with_it(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    cli = Repl(home)  # a stack of its own: the session's stays up for the other tests
    assert cli("local", "up").returncode == 0
    try:
        run_id = cli("run", *SPEC, "-c", "echo up; sleep 3023", "--detach").stdout.strip()
        wait_until(lambda: "up" in cli("run", "logs", run_id).stdout, what="the command to start")
        assert "sleep 3023" in processes() and f"--home {home}" in processes()
    finally:
        down = cli("local", "down")
    assert down.returncode == 0, down.stderr
    wait_until(lambda: "sleep 3023" not in processes(), timeout=20, what="the command to be gone")
    assert f"--home {home}" not in processes() and "agent.zip" not in _of(home)


def _of(home) -> str:
    """The processes that belong to this stack's emulated instances (their paths are under its home)."""
    return "\n".join(line for line in processes().splitlines() if str(home) in line)
