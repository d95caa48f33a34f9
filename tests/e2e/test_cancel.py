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
