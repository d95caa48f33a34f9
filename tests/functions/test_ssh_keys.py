"""POST/GET /v1/runs/{run_id}/ssh-keys: a user's own key for their running run, checked strictly, stored on
the instance with its expiry, and pushed to the agent as an `ssh_keys` event; installed once acked."""
import base64
import json
import struct
import subprocess

import pytest

from functions.core.clock import iso, now_ms, parse_iso
from functions.settings import settings
from functions.store import instances, runs
from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER, response_headers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict:
    """Real key pairs from ssh-keygen: type -> (public key line, its fingerprint as ssh-keygen shows it)."""
    made = {}
    for name, args in {"ed25519": ["-t", "ed25519"], "ecdsa": ["-t", "ecdsa", "-b", "384"],
                       "rsa3072": ["-t", "rsa", "-b", "3072"], "rsa2048": ["-t", "rsa", "-b", "2048"],
                       **{f"ed25519-{n}": ["-t", "ed25519"] for n in range(6)}}.items():
        path = tmp_path_factory.mktemp("keys") / name
        subprocess.run(["ssh-keygen", *args, "-N", "", "-q", "-f", str(path), "-C", f"repl-{name}"], check=True)
        shown = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{path}.pub"], check=True,
                               capture_output=True, text=True).stdout.split()[1]
        made[name] = ((path.parent / f"{name}.pub").read_text().strip(), shown)
    return made


def running(plane, **fields):
    """An agent whose run is running (its command started) on a registered instance."""
    agent = plane.agent()
    assert agent.status("started")[0] == 200
    if fields:
        runs.update(agent.run_id, **fields)
    return agent


def post(plane, agent, public_key, owner=api_helpers.OWNER):
    return plane.call("POST", f"/v1/runs/{agent.run_id}/ssh-keys", {"public_key": public_key}, owner)


def ssh_events(agent) -> list:
    return [e for e in instances.get(agent.instance_key).events if e.type == "ssh_keys"]


def test_a_key_is_stored_with_its_ttl_and_pushed_to_the_agent_whose_held_poll_is_released(plane, keys, monkeypatch):
    monkeypatch.setenv("SSH_KEY_TTL_SECONDS", "600")
    settings.cache_clear()
    agent, (line, fingerprint) = running(plane), keys["ed25519"]
    before = now_ms()
    res = plane.respond("POST", f"/v1/runs/{agent.run_id}/ssh-keys", {"public_key": line})
    body = json.loads(res["body"])
    assert res["statusCode"] == 201 and body["fingerprint"] == fingerprint and body["installed"] is False
    assert before + 600_000 <= parse_iso(body["expires_at"]) <= now_ms() + 600_000
    assert body["public_key"] == " ".join(line.split()[:2])  # the comment is not kept
    assert response_headers(res)["x-skyrepl-changed"] == f"agent:{agent.run_id}"
    text = agent.events()[1]
    assert f'event: ssh_keys\ndata: {json.dumps(ssh_events(agent)[0].data)}' in text
    assert ssh_events(agent)[0].data == {"run_id": agent.run_id, "keys": [
        {"public_key": body["public_key"], "expires_at": body["expires_at"]}]}


def test_the_expiry_is_the_runs_deadline_when_that_comes_before_the_ttl(plane, keys):
    deadline = now_ms() + 90_000
    agent = running(plane, deadline_ms=deadline)
    status, body = post(plane, agent, keys["ed25519"][0])
    assert status == 201 and body["expires_at"] == iso(deadline)  # the default TTL is 12 h


def test_a_key_is_installed_once_the_agent_acks_the_event_that_carried_it(plane, keys):
    agent = running(plane)
    post(plane, agent, keys["ed25519"][0])
    listed = lambda: plane.call("GET", f"/v1/runs/{agent.run_id}/ssh-keys")[1]["ssh_keys"]  # noqa: E731
    assert [k["installed"] for k in listed()] == [False]
    agent.events(str(ssh_events(agent)[0].event_id - 1))  # an ack of the event before: not yet
    assert [k["installed"] for k in listed()] == [False]
    agent.events(str(ssh_events(agent)[0].event_id))
    assert [k["installed"] for k in listed()] == [True]


def test_another_owners_post_is_404_and_nothing_is_stored_or_pushed(plane, keys):
    agent = running(plane)
    status, body = post(plane, agent, keys["ed25519"][0], owner=OTHER)
    assert (status, body["error"]["field"]) == (404, "run_id")
    assert instances.get(agent.instance_key).ssh_keys == () and ssh_events(agent) == []
    assert plane.call("GET", f"/v1/runs/{agent.run_id}/ssh-keys", owner=OTHER)[0] == 404
    assert post(plane, agent, "ssh-dss AAAA", owner=OTHER)[0] == 404  # not even its checks answer another owner


def _blob(*parts: bytes) -> str:
    return base64.b64encode(b"".join(struct.pack(">I", len(p)) + p for p in parts)).decode()


BAD = {
    "options": lambda k: 'from="10.0.0.1",no-pty ' + k["ed25519"][0],
    "newline": lambda k: k["ed25519"][0] + "\nssh-ed25519 AAAA",
    "tab": lambda k: k["ed25519"][0].replace(" ", "\t", 1),
    "type": lambda k: "ssh-dss " + k["ed25519"][0].split()[1],
    "base64": lambda k: "ssh-ed25519 AAAA!!!!",
    "short rsa": lambda k: k["rsa2048"][0],
    "label": lambda k: "ssh-ed25519 " + k["rsa3072"][0].split()[1],
    "truncated": lambda k: "ssh-ed25519 " + _blob(b"ssh-ed25519", b"\x01" * 31),
    "trailing": lambda k: "ssh-ed25519 " + _blob(b"ssh-ed25519", b"\x01" * 32, b"x"),
    "no key": lambda k: "ssh-ed25519",
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_key_is_400_naming_public_key_and_nothing_is_stored(plane, keys, case):
    agent = running(plane)
    status, body = post(plane, agent, BAD[case](keys))
    assert (status, body["error"]["field"]) == (400, "public_key"), body
    assert body["error"]["message"].startswith("public_key: ")
    assert instances.get(agent.instance_key).ssh_keys == () and ssh_events(agent) == []


@pytest.mark.parametrize("name", ["ecdsa", "rsa3072"])
def test_ecdsa_and_rsa_of_3072_bits_are_taken(plane, keys, name):
    status, body = post(plane, running(plane), keys[name][0])
    assert (status, body["fingerprint"]) == (201, keys[name][1])


def test_a_run_that_is_not_running_is_409_naming_its_status(plane, keys):
    pending = plane.agent()  # registered instance, command not started
    status, body = post(plane, pending, keys["ed25519"][0])
    assert (status, body["error"]["field"]) == (409, "run_id") and "is pending" in body["error"]["message"]
    ended = running(plane)
    ended.status("exited", exit_code=0)
    status, body = post(plane, ended, keys["ed25519"][0])
    assert status == 409 and "is succeeded" in body["error"]["message"]
    assert ssh_events(pending) == ssh_events(ended) == []


def test_at_most_five_keys_per_run_and_the_same_key_again_renews_it(plane, keys):
    agent = running(plane)
    for n in range(5):
        assert post(plane, agent, keys[f"ed25519-{n}"][0])[0] == 201
    status, body = post(plane, agent, keys["ed25519-5"][0])
    assert (status, body["error"]["field"]) == (409, "public_key") and "5 SSH keys" in body["error"]["message"]
    again, renewed = post(plane, agent, keys["ed25519-0"][0])
    assert again == 200 and len(instances.get(agent.instance_key).ssh_keys) == 5
    assert len(ssh_events(agent)[-1].data["keys"]) == 5 and renewed["installed"] is False


def test_expired_keys_are_not_listed_sent_or_counted(plane, keys):
    agent = running(plane)
    post(plane, agent, keys["ed25519-0"][0])
    stored = instances.get(agent.instance_key).ssh_keys
    instances.update(agent.instance_key, ssh_keys=tuple(k.__class__(**{**k.__dict__, "expires_ms": now_ms() - 1})
                                                         for k in stored))
    assert plane.call("GET", f"/v1/runs/{agent.run_id}/ssh-keys")[1]["ssh_keys"] == []
    assert post(plane, agent, keys["ed25519-1"][0])[0] == 201
    assert [k["public_key"] for k in ssh_events(agent)[-1].data["keys"]] == [" ".join(keys["ed25519-1"][0].split()[:2])]
