"""The embedded stack keeps its history: a clean `repl local down`/`up` and a kill -9 of its daemon
both leave the earlier runs, their logs and their artifacts; a run in flight is cancelled by `down`,
or ended by the next `up` after a kill, and no process of the dead stack is left."""
import json
import os
import signal
import time

import pytest

from local.emulator import STACK_MARK, descendants, marked
from tests.e2e.conftest import Repl

RUN = ("run", "--spec", "t3.micro", "--no-sync")


def wait_running(cli: Repl, run_id: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = cli.json("run", "get", run_id)["run"]
        if run["status"] == "running" and marked(STACK_MARK, cli.state()["control_id"]):
            return
        time.sleep(0.2)
    raise AssertionError(f"{run_id} did not start: {run}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead: only its exit status is left
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def cli(tmp_path):
    cli = Repl(tmp_path / "home")
    up = cli("local", "up")
    assert up.returncode == 0, up.stderr
    yield cli
    cli("local", "down", "--now")


def test_history_survives_a_clean_restart_and_a_kill_and_runs_in_flight_end(cli):
    done = cli(*RUN, "-c", "echo kept; echo art > out.txt", "--artifacts", "out.txt")
    assert done.returncode == 0, done.stderr
    [first] = [r["run_id"] for r in cli.json("run", "list")["runs"]]
    control_id = cli.state()["control_id"]

    # a clean stop: the run in flight is cancelled, its instance terminated, before the daemon goes
    flying = cli(*RUN, "-c", "echo started; sleep 600", "--detach").stdout.strip()
    wait_running(cli, flying)
    down = cli("local", "down")
    assert down.returncode == 0 and f"1 run in flight ({flying}): cancelling" in down.stderr
    assert marked(STACK_MARK, control_id) == set()
    assert cli("local", "up").returncode == 0
    cancelled = cli.json("run", "get", flying)["run"]
    assert cancelled["status"] == "cancelled" and cancelled["terminated_at"]
    assert cli("run", "logs", first).stdout == "kept\n"

    # a kill -9: the daemon's workers and its instance's processes go; the next `up` ends the run
    killed = cli(*RUN, "-c", "echo started; sleep 600", "--detach").stdout.strip()
    wait_running(cli, killed)
    daemon = cli.state()["pid"]
    of_the_dead = {daemon, *descendants(daemon), *marked(STACK_MARK, control_id)}
    os.kill(daemon, signal.SIGKILL)
    again = cli("local", "up")
    assert again.returncode == 0, again.stderr
    assert [pid for pid in of_the_dead if alive(pid)] == []
    ended = cli.json("run", "get", killed)["run"]
    assert (ended["status"], ended["reason"]) == ("error", "the embedded stack stopped while it ran")
    assert ended["ended_at"] and ended["terminated_at"]

    # everything from before both restarts is there, and the stack works as before
    assert {r["run_id"]: r["status"] for r in cli.json("run", "list")["runs"]} == {
        first: "succeeded", flying: "cancelled", killed: "error"}
    assert cli("run", "logs", first).stdout == "kept\n"
    target = cli.home / "fetched"
    assert cli("artifact", "download", first, "--to", str(target)).returncode == 0
    assert (target / "out.txt").read_text() == "art\n"
    after = cli(*RUN, "-c", "echo after")
    assert after.returncode == 0 and after.stdout == "after\n", after.stderr


def test_one_daemon_per_home_and_up_finds_the_one_there(cli):
    state = cli.state()
    assert json.loads(cli("local", "status", "--json").stdout)["pid"] == state["pid"]
    second = cli("local", "up")  # the lock is held: no second daemon, the first one answered
    assert second.returncode == 0 and cli.state()["pid"] == state["pid"]
    import subprocess
    import sys
    direct = subprocess.run([sys.executable, "-m", "local.daemon", "--home", str(cli.home / ".repl")],
                            env=cli.env, capture_output=True, text=True, timeout=60)
    assert direct.returncode == 3 and f"another embedded stack (pid {state['pid']}) already runs" in direct.stderr
    assert cli.state()["pid"] == state["pid"]  # and it did not touch the running one's state
