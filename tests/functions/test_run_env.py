"""`--env` values: in SSM for the run's lifetime only, read by its own agent, never in a record or event."""
import dataclasses
import json

import boto3

from functions.aws import run_env
from functions.store import instances, runs, tables
from functions.lifecycle import teardown
from functions.workflow import dispatch_run
from tests.functions import api_helpers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

SECRET = "hunter2-not-in-any-record"


def everything_stored() -> str:
    return json.dumps([t.scan()["Items"] for t in (tables.runs(), tables.instances(), tables.logs(), tables.kv())],
                      default=str)


def test_values_go_to_a_securestring_and_only_the_names_to_the_run(plane):
    run = plane.create(env={"API_TOKEN": SECRET, "DEBUG": "1"})
    assert run["env_names"] == ["API_TOKEN", "DEBUG"] and SECRET not in everything_stored()
    stored = boto3.client("ssm").get_parameter(Name=run_env.parameter(run["run_id"]), WithDecryption=True)["Parameter"]
    assert stored["Type"] == "SecureString" and json.loads(stored["Value"]) == {"API_TOKEN": SECRET, "DEBUG": "1"}
    execution = plane.executions()[0]["executionArn"]
    assert SECRET not in boto3.client("stepfunctions").describe_execution(executionArn=execution)["input"]


def parameter_names() -> set:
    return {p["Name"] for p in boto3.client("ssm").describe_parameters()["Parameters"]}


def test_a_run_without_env_stores_no_parameter(plane):
    before = parameter_names()
    run = plane.create()
    assert run["env_names"] == [] and parameter_names() == before


def test_start_run_says_there_is_an_environment_and_only_the_runs_agent_can_read_it(plane):
    agent = plane.agent(env={"API_TOKEN": SECRET})
    other = plane.agent(env={"API_TOKEN": "theirs"})
    runs.update(agent.run_id, status="booting")
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    [event] = instances.get(agent.instance_key).events
    assert event.data["env"] is True and SECRET not in json.dumps(dataclasses.asdict(event))
    status, text = agent.call("GET", "/v1/agent/env")
    assert status == 200 and json.loads(text) == {"run_id": agent.run_id, "env": {"API_TOKEN": SECRET}}
    assert json.loads(other.call("GET", "/v1/agent/env")[1])["env"] == {"API_TOKEN": "theirs"}
    assert agent.call("GET", "/v1/agent/env", auth="k000000000000000.bogus")[0] == 401


def test_teardown_deletes_the_values(plane):
    run = plane.create(env={"API_TOKEN": SECRET})
    teardown.terminate_and_confirm(runs.get(run["run_id"]))
    assert run_env.load(run["run_id"]) == {}


def test_a_bad_env_answers_400_naming_it_and_stores_nothing(plane):
    before = parameter_names()
    for bad in ({"1X": "v"}, {"PATH": "/tmp"}, {"A": 1}, ["A=1"], {"A": "x" * 5000}):
        status, answer = plane.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "true", "env": bad})
        assert (status, answer["error"]["field"]) == (400, "env"), bad
    assert plane.stored_runs() == [] and parameter_names() == before
