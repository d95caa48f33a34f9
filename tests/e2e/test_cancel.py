"""Cancel always lands: even when the instance's agent never answers cancel_run."""
import os
import signal
from pathlib import Path

from tests.e2e.test_run import SPEC, wait_until


def processes_of(instance_dir: Path) -> list:
    """The emulated VM's processes: everything whose working directory is inside its directory."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(proc / "cwd")).is_relative_to(instance_dir):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_a_cancel_the_agent_never_answers_still_ends_the_run_and_terminates_the_instance(repl):
    run_id = repl("run", *SPEC, "-c", "echo frozen; sleep 3019", "--detach").stdout.strip()
    wait_until(lambda: repl.json("run", "get", run_id)["run"]["status"] == "running")
    wait_until(lambda: "frozen" in repl("run", "logs", run_id).stdout, what="the command's first output")
    instance_id = repl.json("run", "get", run_id)["run"]["instance_id"]
    frozen = processes_of(repl.home / ".repl" / "local" / "instances" / instance_id)
    assert frozen, "the emulated instance has no processes"
    for pid in frozen:  # a hung VM: the agent neither polls nor acts on anything
        os.kill(pid, signal.SIGSTOP)
    assert repl("run", "cancel", run_id).returncode == 0
    # Past the embedded 8 s grace, the sweeper forces the end (on AWS it runs every 5 minutes).
    wait_until(lambda: any(t["instance_id"] == instance_id for t in repl.json("orphan", "scan")["terminated"]),
               timeout=40, what="the sweeper to terminate the instance of the unanswered cancel")
    wait_until(lambda: repl.json("run", "get", run_id)["run"]["status"] == "cancelled", what="the run to end")
    run = repl.json("run", "get", run_id)["run"]
    assert "cancelled by the user" in run["reason"] or "sweeper" in run["reason"], run["reason"]
    assert "frozen" in repl("run", "logs", run_id).stdout  # what was written before the fault is still there


def test_terminating_an_instance_ends_every_process_of_it_even_one_that_left_its_tree(repl):
    """A command that daemonizes (double fork: re-parented away from the agent's tree) still dies
    with its instance, as it would with a VM."""
    run_id = repl("run", *SPEC, "-c", "(setsid sleep 3029 >/dev/null 2>&1 &); echo forked; sleep 3031",
                  "--detach").stdout.strip()
    wait_until(lambda: "forked" in repl("run", "logs", run_id).stdout, what="the command to fork")
    escaped = [pid for pid in _pids_running("sleep 3029")]
    assert escaped and all(_parent(pid) != pid for pid in escaped)
    assert repl("run", "cancel", run_id).returncode == 0
    wait_until(lambda: repl.json("run", "get", run_id)["run"]["terminated_at"], what="the instance to be terminated")
    wait_until(lambda: not _pids_running("sleep 3029") and not _pids_running("sleep 3031"), timeout=20,
               what="every process of the instance to be gone")


def _pids_running(command: str) -> list:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().replace(b"\0", b" ").strip() == command.encode():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
