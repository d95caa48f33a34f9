"""The real launch-run ASL, executed by moto's Step Functions interpreter, tasks dispatched in-process.

Wait states and Retry intervals are fast-forwarded (x0.01); task timeouts and heartbeats are real
seconds taken from the execution input, so the tests give them small values.
"""
import base64
import json
import re
import time

import boto3
import pytest
from moto import mock_aws

from functions.agent_api.handler import lambda_handler as agent_api
from functions.api import runs as service
from functions.aws import clients
from functions.core.records import Instance, Run
from functions.store import instances, runs
from local import amis, deploy, moto_internals
from local.context import LambdaContext
from local.gateway import to_event

OWNER = "arn:aws:iam::123456789012:user/tester"


def reset_clients():
    clients.reset()  # settings too: a test may have changed the environment they are read from


@pytest.fixture
def stack(monkeypatch):
    for name, value in {"CONTROL_ID": "wftest", "API_URL": "http://127.0.0.1:9", "BOOT_POLL_SECONDS": "1",
                        "BOOT_TIMEOUT_SECONDS": "3", "AGENT_SILENT_SECONDS": "3"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():  # tests/conftest.py has moto execute state machines and dispatch Lambda in-process
        moto_internals.set_time_scale(0.01)
        for name, value in deploy.deploy().items():
            monkeypatch.setenv(name, value)
        amis.seed_canonical_amis()
        reset_clients()
        yield Harness()
        moto_internals.set_time_scale(1.0)
    reset_clients()


class Harness:
    def create_run(self, **body) -> Run:
        body = {"spec": "ubuntu:noble:amd64", "command": "echo hi", "max_duration_ms": 60_000, **body}
        run, _replayed = service.create_run(OWNER, body)
        return run

    def run(self, run_id: str) -> Run | None:
        return runs.get(run_id)

    def wait_for(self, predicate, timeout: float = 20.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)  # each poll is a moto call in this process: CPU the state machine needs
        raise AssertionError(f"timed out waiting for {what}")

    def wait_end(self, run_id: str, timeout: float = 30.0) -> Run:
        sfn = boto3.client("stepfunctions")
        arn = runs.get(run_id).execution_arn
        self.wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout, "the end")
        return runs.get(run_id)

    def agent(self, run_id: str) -> "FakeAgent":
        run = self.wait_for(lambda: _launched(runs.get(run_id)), what="the instance to be launched")
        return self.agent_of(run)

    def agent_of(self, run: Run) -> "FakeAgent":
        """The agent of a run whose instance has been launched (its token read from the user-data)."""
        data = boto3.client("ec2").describe_instance_attribute(InstanceId=run.instance_id, Attribute="userData")
        script = base64.b64decode(data["UserData"]["Value"]).decode()
        return FakeAgent(re.search(r"(k[0-9a-z]{15}\.[A-Za-z0-9_-]+)", script).group(1), run.run_id)

    def live_instances(self) -> list:
        pages = boto3.client("ec2").get_paginator("describe_instances").paginate(
            Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}])
        return [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]


class FakeAgent:
    """Speaks the agent protocol through the real agent API handler (the token comes from user-data)."""

    def __init__(self, token: str, run_id: str):
        self.token, self.run_id, self.last_event = token, run_id, 0

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, str]:
        hdrs = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        raw = json.dumps(body).encode() if body is not None else b""
        res = agent_api(to_event(method, path, hdrs, raw, None), LambdaContext("agent-api"))
        return res["statusCode"], res["body"]

    def register(self):
        return self.call("POST", "/v1/agent/register", {"hostname": "test"})

    def events(self) -> list:
        status, body = self.call("GET", "/v1/agent/events", headers={"Last-Event-ID": str(self.last_event)})
        assert status == 200, body
        found = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
        ids = [int(line[4:]) for line in body.splitlines() if line.startswith("id: ")]
        self.last_event = max(ids, default=self.last_event)
        return found

    def wait_event(self, harness: Harness, kind: str) -> dict:
        def poll():
            status, body = self.call("GET", "/v1/agent/events", headers={"Last-Event-ID": str(self.last_event)})
            return body if f"event: {kind}" in body else None
        body = harness.wait_for(poll, what=f"event {kind}")
        self.last_event = max(int(line[4:]) for line in body.splitlines() if line.startswith("id: "))
        return json.loads([line[6:] for line in body.splitlines() if line.startswith("data: ")][-1])

    def exited(self, exit_code, **flags):
        return self.call("POST", "/v1/agent/status", {"run_id": self.run_id, "status": "exited",
                                                       "exit_code": exit_code, **flags})


def _launched(run: Run | None) -> Run | None:
    return run if run and run.instance_id else None


def instance_of(run: Run) -> Instance:
    return instances.get(run.instance_key)


def inject(client, operation: str, code: str, times: int = 1) -> dict:
    """The next `times` calls of `operation` fail with `code` (moto cannot raise it); others reach moto."""
    left = {"n": times, "calls": 0}

    def hook(**_kwargs):
        left["calls"] += 1
        if left["n"] > 0:
            left["n"] -= 1
            http = type("R", (), {"status_code": 400, "headers": {}})()
            return http, {"Error": {"Code": code, "Message": f"injected {code}"},
                          "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None

    service_name = client.meta.service_model.service_name
    client.meta.events.register(f"before-call.{service_name}.{operation}", hook)
    return left
