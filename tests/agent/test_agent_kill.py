"""Killing: the deadline, cancel_run, and powering off when the instance outlives its welcome."""
import time


def test_the_deadline_kills_the_command_and_reports_timed_out(plane, run_command):
    started = time.monotonic()
    exited = run_command("sleep 60", deadline_s=0.5)
    assert exited == {"run_id": "r1", "status": "exited", "exit_code": None, "timed_out": True}
    assert time.monotonic() - started < 10


def test_sigterm_ignored_gets_sigkill_after_the_grace(plane, run_command):
    exited = run_command("trap '' TERM; echo armed; sleep 60", deadline_s=2.0)
    assert exited["timed_out"] is True and plane.output("stdout") == "armed\n"


def test_cancel_run_kills_a_running_command(plane, start_agent):
    plane.add_event("start_run", {"run_id": "r1", "command": "echo go; sleep 60", "deadline_ms": None})
    start_agent()
    plane.wait_for(lambda: plane.output("stdout") == "go\n")
    plane.add_event("cancel_run", {"run_id": "r1"})
    exited = plane.wait_for(plane.exited)
    assert exited == {"run_id": "r1", "status": "exited", "exit_code": None, "cancelled": True}


def test_past_the_deadline_and_its_grace_the_agent_powers_off(plane, run_command, start_agent):
    assert run_command("sleep 60", deadline_s=0.3, SKYREPL_DEADLINE_POWEROFF_GRACE_SECONDS="0.5")["timed_out"]
    agent = start_agent.last
    assert agent.wait() == 0 and agent.powered_off()
    assert "powering off: still running" in agent.stderr()


def test_a_silent_control_plane_trips_the_dead_mans_switch(plane, start_agent):
    plane.add_event("start_run", {"run_id": "r1", "command": "echo up; sleep 60", "deadline_ms": None})
    agent = start_agent(SKYREPL_DEADMAN_SECONDS="1")
    plane.wait_for(lambda: plane.output("stdout") == "up\n")
    plane.fail_next("/v1/agent/events", *[503] * 1000)
    assert agent.wait() == 0 and agent.powered_off()
    assert "powering off: no answer" in agent.stderr()
