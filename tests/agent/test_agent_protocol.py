"""The agent as a subprocess against the fake control plane: registration, events and acks, exit."""
import socket

from agent_plane import TOKEN


def test_registers_then_polls_and_acks_handled_events(plane, run_command):
    assert run_command("echo hi") == {"run_id": "r1", "status": "exited", "exit_code": 0}
    register = plane.bodies("/v1/agent/register")[0]
    assert register["hostname"] == socket.gethostname() and register["agent_version"] == "0.1.0"
    assert plane.paths()[:2] == ["/v1/agent/register", "/v1/agent/events"]
    plane.wait_for(lambda: any(c[2].get("last-event-id") == "1" for c in plane.calls))
    assert "last-event-id" not in plane.calls[1][2]
    assert plane.bodies("/v1/agent/status")[0] == {"run_id": "r1", "status": "started"}
    assert plane.output("stdout") == "hi\n"


def test_a_second_start_run_for_the_same_run_is_ignored(plane, run_command):
    plane.add_event("start_run", {"run_id": "r1", "command": "echo first", "deadline_ms": None})
    assert run_command("echo second")["exit_code"] == 0  # served as event 2, after the first
    plane.wait_for(lambda: any(c[2].get("last-event-id") == "2" for c in plane.calls))
    assert plane.output("stdout") == "first\n" and len(plane.bodies("/v1/agent/status")) == 2


def test_exit_code_passes_through(run_command):
    assert run_command("echo oops >&2; exit 3")["exit_code"] == 3


def test_a_death_by_signal_is_128_plus_n(run_command):
    assert run_command("kill -KILL $$")["exit_code"] == 128 + 9


def test_410_on_events_stops_the_agent_with_0(plane, start_agent):
    agent = start_agent()
    plane.wait_for(lambda: "/v1/agent/events" in plane.paths())
    plane.gone = True
    assert agent.wait() == 0


def test_401_on_register_exits_non_zero_and_the_token_is_never_logged(plane, start_agent):
    plane.fail_next("/v1/agent/register", 401)
    agent = start_agent()
    assert agent.wait() == 1
    assert "401" in agent.stderr() and TOKEN.split(".")[1] not in agent.stderr()


def test_register_retries_through_5xx(plane, start_agent):
    plane.fail_next("/v1/agent/register", 503, 502)
    start_agent()
    plane.wait_for(lambda: "/v1/agent/events" in plane.paths())
    assert plane.paths()[:3] == ["/v1/agent/register"] * 3
