"""Logs and status survive a flaky control plane: same batch, same seq, until it is taken."""


def test_a_log_batch_answered_500_twice_is_resent_with_the_same_seq(plane, run_command):
    plane.fail_next("/v1/agent/logs", 500, 500)
    assert run_command("echo one; sleep 0.3; echo two")["exit_code"] == 0
    seqs = [b["seq"] for b in plane.bodies("/v1/agent/logs")]
    assert seqs[:3] == [1, 1, 1] and seqs[3:] == list(range(2, len(seqs) - 1))
    assert plane.output("stdout") == "one\ntwo\n"


def test_a_refused_batch_is_skipped_and_the_rest_still_arrives(plane, run_command):
    plane.fail_next("/v1/agent/logs", 400)
    assert run_command("echo lost; sleep 0.3; echo kept")["exit_code"] == 0
    assert plane.output("stdout") == "lost\nkept\n"  # the fake stores even the refused one's body
    assert [b["seq"] for b in plane.bodies("/v1/agent/logs")] == [1, 2]


def test_the_exit_status_is_retried_until_taken(plane, start_agent):
    plane.add_event("start_run", {"run_id": "r1", "command": "sleep 0.5; exit 5", "deadline_ms": None})
    plane.fail_next("/v1/agent/status", 503)  # "started" is retried too
    start_agent()
    plane.wait_for(lambda: len(plane.bodies("/v1/agent/status")) == 2)
    plane.fail_next("/v1/agent/status", 500, 502)
    plane.wait_for(lambda: len(plane.bodies("/v1/agent/status")) == 5)
    assert [b["status"] for b in plane.bodies("/v1/agent/status")] == ["started"] * 2 + ["exited"] * 3
    assert plane.bodies("/v1/agent/status")[-1]["exit_code"] == 5
