"""The command comes in the register answer and starts at once; the answer also sets how output is
batched (soon while a follower reads, seldom while nobody does) and where its numbering goes on."""
import time


def start_at_registration(plane, command, **registration):
    deadline_ms = int((time.time() + 30) * 1000)
    plane.registration = {"start_run": {"run_id": "r1", "command": command, "deadline_ms": deadline_ms},
                          **registration}


def test_the_command_in_the_register_answer_starts_without_waiting_for_an_events_call(plane, start_agent):
    start_at_registration(plane, "echo now")
    start_agent()
    plane.wait_for(plane.exited)
    assert plane.events == []  # no events call ever carried a command: the registration's ran
    assert [b["status"] for b in plane.bodies("/v1/agent/status")] == ["started", "exited"]
    assert plane.output("stdout") == "now\n"


def test_a_second_start_of_the_same_run_from_the_events_is_ignored(plane, start_agent):
    start_at_registration(plane, "echo once")
    plane.add_event("start_run", {"run_id": "r1", "command": "echo twice"})
    start_agent()
    plane.wait_for(plane.exited)
    time.sleep(0.3)  # a few more events calls: the duplicate is seen and ignored
    assert plane.output("stdout") == "once\n"
    assert [b["status"] for b in plane.bodies("/v1/agent/status")] == ["started", "exited"]


def test_numbering_goes_on_after_the_last_stored_batch(plane, start_agent):
    start_at_registration(plane, "echo more", log_seq=7)  # a restarted agent: batches 1-7 are stored
    start_agent()
    plane.wait_for(plane.exited)
    assert [b["seq"] for b in plane.bodies("/v1/agent/logs")] == [8]


def test_with_nobody_reading_output_waits_for_the_detached_interval(plane, start_agent):
    start_at_registration(plane, "echo a; sleep 1; echo b", output={"attached_ms": 50, "detached_ms": 5000},
                          attached=False)
    start_agent()
    plane.wait_for(plane.exited)
    assert [b["entries"] for b in plane.bodies("/v1/agent/logs")] == [[{"stream": "stdout", "data": "a\nb\n"}]]


def test_while_a_follower_reads_output_goes_out_at_the_attached_interval(plane, start_agent):
    start_at_registration(plane, "echo a; sleep 1; echo b", output={"attached_ms": 50, "detached_ms": 5000},
                          attached=True)
    start_agent()
    plane.wait_for(plane.exited)
    assert [b["entries"] for b in plane.bodies("/v1/agent/logs")] == [[{"stream": "stdout", "data": "a\n"}],
                                                                        [{"stream": "stdout", "data": "b\n"}]]


def test_a_follower_arriving_gets_what_is_waiting_at_once(plane, start_agent):
    start_at_registration(plane, "echo a; sleep 2; echo b", output={"attached_ms": 50, "detached_ms": 60000},
                          attached=False)
    start_agent()
    plane.wait_for(lambda: plane.bodies("/v1/agent/status"))  # started
    time.sleep(0.3)
    plane.add_event("state", {"attached": True})  # the control plane says so in an events answer
    plane.wait_for(lambda: plane.bodies("/v1/agent/logs"), timeout=1.5)  # long before the 60 s
    assert plane.bodies("/v1/agent/logs")[0]["entries"] == [{"stream": "stdout", "data": "a\n"}]


def test_after_registering_every_call_uses_the_session_credential_only(plane, start_agent):
    from tests.agent.agent_plane import SESSION, TOKEN
    start_at_registration(plane, "echo hi")
    agent = start_agent()
    plane.wait_for(plane.exited)
    plane.gone = True
    assert agent.wait() == 0 and SESSION.split(".")[2] not in agent.stderr()  # held in memory, never logged
    used = [(path, headers["authorization"]) for _, path, headers, _ in plane.calls]
    assert used[0] == ("/v1/agent/register", "Bearer " + TOKEN)
    assert len(used) > 3 and all(auth == "Bearer " + SESSION for _, auth in used[1:])
