"""How the agent is started on a VM: `python3 agent.zip ...`, and how it stops on SIGTERM."""
import signal
import time
import zipfile
from pathlib import Path

AGENT_DIR = Path(__file__).resolve().parents[2] / "agent"
ZIP_MAIN = 'import runpy\nrunpy.run_module("agent", run_name="__main__", alter_sys=True)\n'  # protocol.md §2


def test_the_served_zip_runs_a_command(plane, start_agent, tmp_path):
    bundle = tmp_path / "agent.zip"
    with zipfile.ZipFile(str(bundle), "w") as zf:
        zf.writestr("__main__.py", ZIP_MAIN)
        for path in sorted(AGENT_DIR.glob("*.py")):
            zf.write(str(path), "agent/" + path.name)
    plane.add_event("start_run", {"run_id": "r1", "command": "echo from zip", "deadline_ms": None})
    start_agent(argv_prefix=[str(bundle)], PYTHONPATH="")
    assert plane.wait_for(plane.exited)["exit_code"] == 0 and plane.output("stdout") == "from zip\n"


def test_sigterm_to_the_agent_kills_its_command_first(plane, start_agent, tmp_path):
    marker = tmp_path / "survived"
    command = "echo up; sleep 1; touch {}".format(marker)
    plane.add_event("start_run", {"run_id": "r1", "command": command, "deadline_ms": None})
    agent = start_agent()
    plane.wait_for(lambda: plane.output("stdout") == "up\n")
    agent.popen.send_signal(signal.SIGTERM)
    assert agent.wait() == 143 and plane.exited()["exit_code"] == 128 + signal.SIGTERM  # no cancel: a death
    time.sleep(1.5)  # past the command's own sleep
    assert not marker.exists()
