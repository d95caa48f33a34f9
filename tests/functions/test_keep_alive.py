"""`--keep-alive` through the API: the field's rules, the report that keeps the instance, DELETE
/v1/instances/{instance} (the release and its refusals), SSH on a kept run, the sweeper leaving it be."""
import subprocess
import tempfile
from pathlib import Path

import pytest

from functions.core import states
from functions.core.clock import iso, now_ms
from functions.store import instances, runs
from functions.sweeper import sweep as sweeper
from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share
KEEP_MS = 600_000


def kept(plane, code=0, **body):
    """A run whose command has ended, with its instance kept (the Kept state's token stored)."""
    agent = plane.agent(keep_alive_ms=KEEP_MS, **body)
    runs.update(agent.run_id, deadline_ms=now_ms() + 3_600_000)
    assert agent.status("started")[0] == 200
    assert agent.status("exited", exit_code=code)[0] == 200
    runs.update(agent.run_id, keep_token="kept-token")
    return agent


@pytest.mark.parametrize("value", [0, 999, 7 * 24 * 3_600_000 + 1, "10m", True, 1.5])
def test_keep_alive_is_a_whole_number_of_milliseconds_named_when_wrong(plane, value):
    status, answer = plane.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "x", "keep_alive_ms": value})
    assert (status, answer["error"]["field"]) == (400, "keep_alive_ms")
    assert answer["error"]["message"].startswith("keep_alive_ms: ")
    assert plane.stored_runs() == []


@pytest.mark.parametrize("code, status", [(0, states.SUCCEEDED), (3, states.FAILED)])
def test_the_run_ends_with_its_command_and_says_until_when_its_instance_stays(plane, code, status):
    agent = kept(plane, code)
    run = plane.call("GET", f"/v1/runs/{agent.run_id}")[1]["run"]
    assert (run["status"], run["exit_code"], run["keep_alive_ms"]) == (status, code, KEEP_MS)
    assert run["kept_until"] == iso(runs.get(agent.run_id).ended_ms + KEEP_MS)


def test_the_keep_ends_at_the_deadline_at_the_latest(plane):
    agent = plane.agent(keep_alive_ms=KEEP_MS)
    deadline = now_ms() + 5_000
    runs.update(agent.run_id, deadline_ms=deadline)
    agent.status("started")
    agent.status("exited", exit_code=0)
    assert runs.get(agent.run_id).kept_until_ms == deadline


def test_a_cancelled_or_timed_out_command_keeps_nothing(plane):
    for flags in ({"cancelled": True}, {"timed_out": True}):
        agent = plane.agent(keep_alive_ms=KEEP_MS)
        runs.update(agent.run_id, deadline_ms=now_ms() + 3_600_000)
        agent.status("started")
        agent.status("exited", exit_code=None, **flags)
        assert runs.get(agent.run_id).kept_until_ms is None, flags


def test_terminate_releases_a_kept_instance_by_its_run_or_its_id(plane):
    for by_instance in (False, True):
        agent = kept(plane)
        instance_id = instances.get(agent.instance_key).instance_id
        sent = plane.sfn_calls("SendTaskSuccess")
        status, answer = plane.call("DELETE", f"/v1/instances/{instance_id if by_instance else agent.run_id}")
        assert status == 200, answer
        assert (answer["instance"]["instance_id"], answer["run"]["run_id"]) == (instance_id, agent.run_id)
        assert runs.get(agent.run_id).release_requested_ms is not None
        assert [call["taskToken"] for call in sent] == ["kept-token"]  # the Kept state ends: Finalize terminates
        plane.unhook()


def test_a_released_run_is_no_longer_kept_and_a_second_terminate_changes_nothing(plane):
    agent = kept(plane)
    assert plane.call("DELETE", f"/v1/instances/{agent.run_id}")[0] == 200
    sent = plane.sfn_calls("SendTaskSuccess")
    status, answer = plane.call("DELETE", f"/v1/instances/{agent.run_id}")
    assert status == 200 and sent == []
    status, answer = plane.call("POST", f"/v1/runs/{agent.run_id}/cancel")
    assert status == 409 and "instance terminate" not in answer["error"]["message"]


def test_terminate_refuses_what_is_not_a_kept_instance_and_names_what_to_do(plane):
    running = plane.agent()
    running.status("started")
    status, answer = plane.call("DELETE", f"/v1/instances/{running.run_id}")
    assert (status, answer["error"]["field"]) == (409, "instance")
    assert answer["error"]["message"].startswith("instance: ") and f"repl run cancel {running.run_id}" in \
        answer["error"]["message"]
    pending = plane.create()  # no instance yet
    status, answer = plane.call("DELETE", f"/v1/instances/{pending['run_id']}")
    assert (status, answer["error"]["field"]) == (409, "instance")


def test_another_owners_instance_or_run_does_not_exist_for_the_caller(plane):
    agent = kept(plane)
    instance_id = instances.get(agent.instance_key).instance_id
    for target in (agent.run_id, instance_id, "i-0123456789abcdef0", "nosuchrun"):
        status, answer = plane.call("DELETE", f"/v1/instances/{target}", owner=OTHER if target != "nosuchrun" else
                                    api_helpers.OWNER)
        assert (status, answer["error"]["field"]) == (404, "instance"), target
    assert runs.get(agent.run_id).release_requested_ms is None


def test_a_kept_run_takes_ssh_keys_until_it_is_released(plane):
    with tempfile.TemporaryDirectory() as home:
        key = Path(home) / "k"
        subprocess.run(["ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", str(key)], check=True)
        line = key.with_suffix(".pub").read_text().strip()
    agent = kept(plane)
    status, answer = plane.call("POST", f"/v1/runs/{agent.run_id}/ssh-keys", {"public_key": line})
    assert status == 201, answer
    assert answer["expires_at"] <= iso(runs.get(agent.run_id).kept_until_ms)
    assert plane.call("GET", f"/v1/runs/{agent.run_id}/ssh-keys")[1]["ssh_keys"]
    plane.call("DELETE", f"/v1/instances/{agent.run_id}")
    status, answer = plane.call("POST", f"/v1/runs/{agent.run_id}/ssh-keys", {"public_key": line})
    assert (status, answer["error"]["field"]) == (409, "run_id")


def test_the_cancel_of_a_kept_run_says_how_to_end_its_instance(plane):
    agent = kept(plane)
    status, answer = plane.call("POST", f"/v1/runs/{agent.run_id}/cancel")
    assert status == 409 and f"repl instance terminate {agent.run_id}" in answer["error"]["message"]


def test_the_sweeper_leaves_a_kept_instance_until_its_keep_ends(plane):
    agent = kept(plane)
    found = {"instance_id": "i-0abc", "launch_time": iso(now_ms() - 3_600_000), "tags": {}}
    run = runs.get(agent.run_id)
    instances.update(agent.instance_key, last_seen_ms=now_ms())
    assert sweeper.verdict(found, run, now_ms()) is None
    assert sweeper.verdict(found, run, run.kept_until_ms + 1) == "its run has ended"
    released = runs.update(agent.run_id, release_requested_ms=now_ms())
    assert sweeper.verdict(found, released, now_ms()) == "its run has ended"
