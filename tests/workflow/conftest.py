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
        data = boto3.client("ec2", region_name=run.region).describe_instance_attribute(InstanceId=run.instance_id,
                                                                                      Attribute="userData")
        script = base64.b64decode(data["UserData"]["Value"]).decode()
        return FakeAgent(re.search(r"(k[0-9a-z]{15}\.[A-Za-z0-9_-]+)", script).group(1), run.run_id)

    def live_instances(self, regions=("us-east-1",)) -> list:
        found = []
        for region in regions:
            pages = boto3.client("ec2", region_name=region).get_paginator("describe_instances").paginate(
                Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}])
            found += [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]
        return found


class FakeAgent:
    """Speaks the agent protocol through the real agent API handler (the token comes from user-data)."""

    def __init__(self, token: str, run_id: str):
        self.token, self.run_id, self.last_event = token, run_id, 0  # the boot token, until registered

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, str]:
        hdrs = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        raw = json.dumps(body).encode() if body is not None else b""
        res = agent_api(to_event(method, path, hdrs, raw, None), LambdaContext("agent-api"))
        return res["statusCode"], res["body"]

    def register(self):
        status, body = self.call("POST", "/v1/agent/register", {"hostname": "test"})
        self.start = json.loads(body).get("start_run") if status == 200 else None  # the command, at once
        if status == 200:
            self.token = json.loads(body)["session_token"]  # every later call's credential
        return status, body

    def events(self) -> list:
        """The data of the events after the last one seen (the `state` frame aside)."""
        status, body = self.call("GET", "/v1/agent/events", headers={"Last-Event-ID": str(self.last_event)})
        assert status == 200, body
        found = sse_events(body)
        self.last_event = max((i for i, _, _ in found), default=self.last_event)
        return [data for _, _, data in found]

    def wait_event(self, harness: Harness, kind: str) -> dict:
        """The next event of that kind. A start_run the registration answered with counts, once the
        workflow waits on the agent (as the event used to come only then): the run holds a task token."""
        if kind == "start_run" and getattr(self, "start", None):
            harness.wait_for(lambda: (runs.get(self.run_id) or Run).task_token, what="the workflow to wait on the agent")
            start, self.start = self.start, None
            return start

        def poll():
            status, body = self.call("GET", "/v1/agent/events", headers={"Last-Event-ID": str(self.last_event)})
            return [e for e in sse_events(body) if e[1] == kind]
        found = harness.wait_for(poll, what=f"event {kind}")
        self.last_event = found[-1][0]
        return found[-1][2]

    def exited(self, exit_code, **flags):
        return self.call("POST", "/v1/agent/status", {"run_id": self.run_id, "status": "exited",
                                                       "exit_code": exit_code, **flags})


def sse_events(body: str) -> list[tuple[int, str, dict]]:
    """(id, type, data) of each event with an id in an SSE body (the `state` frame has none)."""
    found = []
    for frame in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        if "id" in fields:
            found.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return found


def _launched(run: Run | None) -> Run | None:
    return run if run and run.instance_id else None


def instance_of(run: Run) -> Instance:
    return instances.get(run.instance_key)


def inject(client, operation: str, code: str, times: int = 1, when=None) -> dict:
    """The next `times` calls of `operation` fail with `code` (moto cannot raise it); others reach moto.
    `when(body)`: only calls whose serialized request (EC2's query parameters) it accepts count."""
    left = {"n": times, "calls": 0}

    def hook(params=None, **_kwargs):
        if when and not when((params or {}).get("body") or {}):
            return None
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
