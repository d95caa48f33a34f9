"""The agent API's credentials: the boot token `<instance_key>.<secret>` registers once; the session
credential that answers opens the instance's own record and run, nothing else (functions/core/tokens.py)."""
import json

import pytest

from functions.agent_api import auth
from functions.core import tokens
from functions.core.clock import iso
from functions.core.records import AgentInfo
from functions.store import instances, runs
from tests.functions import api_helpers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share


def test_a_minted_token_registers_and_records_when(plane):
    agent = plane.agent()
    status, answer = agent.post("/v1/agent/register", {"hostname": "ip-10-0-0-1", "python": "3.12.3"})
    assert status == 200 and (answer["instance_key"], answer["run_id"]) == (agent.instance_key, agent.run_id)
    assert (answer["log_seq"], answer["attached"]) == (0, False) and answer["output"]["chunk_bytes"] > 0
    record = instances.get(agent.instance_key)
    assert record.registered_ms > 0 and record.agent == AgentInfo(hostname="ip-10-0-0-1", python="3.12.3")


def test_registering_again_keeps_the_first_registration_time(plane):
    agent = plane.agent()
    agent.post("/v1/agent/register", {})
    first = instances.get(agent.instance_key).registered_ms
    agent.post("/v1/agent/register", {})
    assert instances.get(agent.instance_key).registered_ms == first


@pytest.mark.parametrize("auth", [None, "", "Bearer", "Basic abc", "Bearer nodot", "Bearer {key}.wrong-secret",
                                  "Bearer kunknownkey0000.{secret}", "Bearer {key}.{hash}"])
def test_anything_but_the_boot_token_answers_401(plane, auth):
    agent = plane.agent()
    key, secret = tokens.split(agent.boot_token)
    header = auth and auth.format(key=key, secret=secret, hash=tokens.digest(secret))
    status, text = agent.call("POST", "/v1/agent/register", {}, auth=header)
    assert (status, json.loads(text)["error"]["code"]) == (401, "unauthorized")
    assert instances.get(agent.instance_key).registered_ms is None


def test_the_scheme_is_case_insensitive(plane):
    agent = plane.agent()
    assert agent.call("POST", "/v1/agent/register", {}, auth=f"bearer {agent.boot_token}")[0] == 200


def test_a_terminated_instance_answers_410_gone(plane):
    agent = plane.agent()
    instances.update(agent.instance_key, state="terminated")
    status, text = agent.call("GET", "/v1/agent/events")
    assert (status, json.loads(text)["error"]["code"]) == (410, "gone")


@pytest.mark.parametrize("path, extra", [("/v1/agent/logs", {"seq": 1, "entries": []}),
                                         ("/v1/agent/status", {"status": "started"})])
def test_another_runs_id_answers_403_naming_run_id(plane, path, extra):
    agent, other = plane.agent(), plane.create()
    status, answer = agent.post(path, {"run_id": other["run_id"], **extra})
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (403, "forbidden", "run_id")
    assert runs.get(other["run_id"]).status == "pending"


def test_a_token_opens_only_its_own_instance(plane):
    first, second = plane.agent(), plane.agent()
    second_key, _ = tokens.split(second.boot_token)
    _, first_secret = tokens.split(first.boot_token)
    assert first.call("POST", "/v1/agent/register", {}, auth=f"Bearer {second_key}.{first_secret}")[0] == 401
    _, first_session, first_mac = first.token.split(".")
    assert first.call("GET", "/v1/agent/events", auth=f"Bearer {second_key}.{first_session}.{first_mac}")[0] == 401


def test_agent_code_needs_the_token(plane):
    agent = plane.agent()
    assert agent.call("GET", "/v1/agent/code", auth=None)[0] == 401


def test_the_first_code_fetch_marks_the_instance_booted_once(plane):
    agent = plane.agent()
    assert instances.get(agent.instance_key).booted_ms is None
    assert agent.call("GET", "/v1/agent/code")[0] == 200
    booted = instances.get(agent.instance_key).booted_ms
    assert booted and agent.call("GET", "/v1/agent/code")[0] == 200
    assert instances.get(agent.instance_key).booted_ms == booted  # a fetch again is not a boot again
    [listed] = plane.call("GET", "/v1/instances")[1]["instances"]
    assert listed["booted_at"] == iso(booted)


def test_registration_answers_a_session_credential_that_opens_the_session_routes(plane):
    agent = plane.agent()
    status, answer = agent.post("/v1/agent/register", {})
    assert status == 200 and answer["session_token"] == agent.token  # the session opened for this instance
    assert agent.call("GET", "/v1/agent/events", auth=f"Bearer {answer['session_token']}")[0] == 200


def test_a_lost_registration_answer_is_answered_again_with_the_same_session(plane):
    agent = plane.agent()
    first = agent.post("/v1/agent/register", {})[1]["session_token"]
    assert agent.post("/v1/agent/register", {})[1]["session_token"] == first


def test_the_boot_token_is_spent_once_the_session_is_used(plane):
    agent = plane.agent()
    assert agent.call("GET", "/v1/agent/code")[0] == 200  # the bootstrap's fetch, before the agent runs
    agent.post("/v1/agent/register", {})
    assert agent.events()[0] == 200  # the agent's first call with its session
    for path in ("/v1/agent/code", "/v1/agent/openapi.json"):
        status, text = agent.call("GET", path, auth=f"Bearer {agent.boot_token}")
        assert (status, json.loads(text)["error"]["message"]) == (401, auth.SPENT), path
    assert agent.call("GET", "/v1/agent/code")[0] == 401
    assert agent.call("GET", "/v1/agent/code", auth=f"Bearer {agent.token}")[0] == 200  # the session still opens it


def test_the_spent_boot_token_shown_again_ends_the_run(plane):
    agent = plane.agent()
    agent.post("/v1/agent/register", {})
    agent.status("started")
    agent.events()
    status, answer = agent.post("/v1/agent/register", {})  # the agent restarted (or someone read the user-data)
    assert (status, answer["error"]["message"]) == (401, auth.SPENT)
    run = runs.get(agent.run_id)
    assert run.status == "error" and "restarted" in run.reason


@pytest.mark.parametrize("path", ["/v1/agent/events", "/v1/agent/env"])
def test_the_boot_token_never_opens_a_session_route(plane, path):
    agent = plane.agent()
    status, text = agent.call("GET", path, auth=f"Bearer {agent.boot_token}")
    assert (status, json.loads(text)["error"]["message"]) == (401, auth.BOOT_ONLY)
    assert instances.get(agent.instance_key).last_seen_ms is None


def test_a_session_of_an_earlier_registration_is_refused(plane):
    agent = plane.agent()
    instances.update(agent.instance_key, session_id="another")
    assert agent.events()[0] == 401


@pytest.mark.parametrize("forged", ["{key}.{session}.{mac}x", "{key}.{session}x.{mac}", "{key}.{session}.",
                                    "{key}.{session}.{mac}.more", "{key}..{mac}"])
def test_a_forged_session_credential_is_refused_without_a_table_read(plane, forged, monkeypatch):
    agent = plane.agent()
    key, session, mac = agent.token.split(".")
    reads = []
    monkeypatch.setattr(instances, "get", lambda *a: reads.append(a))  # a probe: it must not be reached
    status, text = agent.call("GET", "/v1/agent/events", auth="Bearer " + forged.format(key=key, session=session,
                                                                                      mac=mac))
    assert (status, json.loads(text)["error"]["code"], reads) == (401, "unauthorized", [])


def test_a_boot_token_on_a_session_route_is_refused_without_a_table_read(plane, monkeypatch):
    agent = plane.agent()
    reads = []
    monkeypatch.setattr(instances, "get", lambda *a: reads.append(a))
    assert (agent.call("GET", "/v1/agent/events", auth=f"Bearer {agent.boot_token}")[0], reads) == (401, [])


def test_session_credentials_are_signed_by_the_deployments_own_key(plane):
    """A MAC under any other key (another deployment's, a guess) is refused."""
    agent = plane.agent()
    record = instances.get(agent.instance_key)
    other = tokens.session(agent.instance_key, record.session_id, b"another deployment's key")
    assert agent.call("GET", "/v1/agent/events", auth=f"Bearer {other}")[0] == 401
