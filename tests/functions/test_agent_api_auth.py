"""The agent API's bearer token: `<instance_key>.<secret>` opens its own instance and run, nothing else."""
import json

import pytest

from functions.core import tokens
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
def test_anything_but_the_instance_token_answers_401(plane, auth):
    agent = plane.agent()
    key, secret = tokens.split(agent.token)
    header = auth and auth.format(key=key, secret=secret, hash=tokens.digest(secret))
    status, text = agent.call("POST", "/v1/agent/register", {}, auth=header)
    assert (status, json.loads(text)["error"]["code"]) == (401, "unauthorized")
    assert instances.get(agent.instance_key).registered_ms is None


def test_the_scheme_is_case_insensitive(plane):
    agent = plane.agent()
    assert agent.call("POST", "/v1/agent/register", {}, auth=f"bearer {agent.token}")[0] == 200


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
    second_key, _ = tokens.split(second.token)
    _, first_secret = tokens.split(first.token)
    status, _ = first.call("GET", "/v1/agent/events", auth=f"Bearer {second_key}.{first_secret}")
    assert status == 401


def test_agent_code_needs_the_token(plane):
    agent = plane.agent()
    assert agent.call("GET", "/v1/agent/code", auth=None)[0] == 401
