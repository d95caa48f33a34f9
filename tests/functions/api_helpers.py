"""In-process API and agent-API calls against moto: every table and a state machine that only records.

The state machine is a single Pass state and moto does not run it: a started execution is just
listed, which is all the user API needs. Step Functions calls made by the handlers are observed
(and failures injected) with botocore hooks on functions.aws.stepfunctions' own client.
"""
import json
import time

import boto3
import pytest
from moto import mock_aws

from functions.agent_api.handler import lambda_handler as agent_handler
from functions.api.handler import lambda_handler as api_handler
from functions.aws import clients, session_key
from functions.core import naming, tokens
from functions.core.clock import now_ms
from functions.core.records import Run
from functions.settings import settings
from functions.store import instances, runs, tables
from functions.store.codec import decode
from functions.store.schema import ALL_TABLES
from local import deploy
from local.context import LambdaContext
from local.gateway import to_event
from tests.records import make_instance

OWNER = "arn:aws:iam::123456789012:user/alice"
OTHER = "arn:aws:iam::123456789012:user/mallory"
CONTROL_ID = "apitst"
PASS_MACHINE = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def reset_clients():
    clients.reset()


@pytest.fixture(scope="module")
def aws_tables():
    """moto and the tables, once per module (creating them is most of a test's cost); `plane` empties them."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONTROL_ID", CONTROL_ID)
        env.setenv("API_URL", "https://api.example/prod")
        for name, value in deploy.table_env().items():
            env.setenv(name, value)
        env.setenv("RUN_FILES_BUCKET", deploy.RUN_FILES_BUCKET)
        with mock_aws():
            for table in ALL_TABLES:
                deploy.create_table(table)
            boto3.client("s3").create_bucket(Bucket=deploy.RUN_FILES_BUCKET)
            reset_clients()
            yield boto3.resource("dynamodb")
    reset_clients()


@pytest.fixture
def plane(aws_tables, monkeypatch):
    """Empty tables and a state machine of the test's own, so that its executions are this test's."""
    machine = boto3.client("stepfunctions").create_state_machine(
        name="launch-run-" + naming.new_id(), definition=PASS_MACHINE, roleArn="arn:aws:iam::123456789012:role/sfn")
    monkeypatch.setenv("STATE_MACHINE_ARN", machine["stateMachineArn"])
    settings.cache_clear()
    yield (plane := Plane(machine["stateMachineArn"]))
    plane.unhook()
    for table in ALL_TABLES:
        empty(aws_tables.Table(deploy.table_name(table)), table)
    settings.cache_clear()


def empty(resource, table) -> None:
    keys = [table.partition_key] + ([table.sort_key] if table.sort_key else [])
    for item in resource.scan()["Items"]:
        resource.delete_item(Key={k: item[k] for k in keys})


class Plane:
    def __init__(self, machine_arn: str):
        self.machine_arn, self.hooks = machine_arn, []

    def call(self, method: str, path: str, body=None, owner: str | None = OWNER,
             headers: dict | None = None) -> tuple[int, dict]:
        res = self.respond(method, path, body, owner, headers)
        return res["statusCode"], json.loads(res["body"])

    def respond(self, method: str, path: str, body=None, owner: str | None = OWNER,
                headers: dict | None = None) -> dict:
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        return api_handler(to_event(method, path, {"Content-Type": "application/json", **(headers or {})}, raw,
                                    owner), LambdaContext("api"))

    def create(self, owner: str = OWNER, **body) -> dict:
        status, answer = self.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "echo hi", **body}, owner)
        assert status == 201, answer
        time.sleep(0.002)  # distinct created_at milliseconds: the listing is ordered by them
        return answer["run"]

    def executions(self) -> list:
        return boto3.client("stepfunctions").list_executions(stateMachineArn=self.machine_arn)["executions"]

    def stored_runs(self) -> list[Run]:
        return [decode(Run, item) for item in tables.runs().scan()["Items"]]

    def add_instance(self, run_id: str | None = None, owner: str = OWNER, state: str = "running") -> tuple[str, str]:
        """An instance record for the run (attached to it), as Provision writes it. Returns (key, token)."""
        key = "k" + naming.new_id(15)
        token, token_hash = tokens.mint(key)
        instances.create(make_instance(key, run_id=run_id or "r-none", owner=owner, state=state,
                                       instance_id="i-" + naming.new_id(17), launched_ms=now_ms(),
                                       token_hashes=(token_hash,)))
        if run_id and runs.get(run_id):  # an instance of a run with no record stays unattached
            runs.update(run_id, instance_key=key)
        time.sleep(0.002)
        return key, token

    def sfn_calls(self, operation: str, fail_with: str | None = None) -> list:
        """Params of every `operation` call the handlers make from now on; optionally each answers `fail_with`."""
        seen = []

        def fail(**_):
            http = type("Response", (), {"status_code": 400, "headers": {}})()
            return http, {"Error": {"Code": fail_with, "Message": "injected"},
                          "ResponseMetadata": {"HTTPStatusCode": 400}}

        self._hook(f"before-parameter-build.sfn.{operation}", lambda params, **_: seen.append(dict(params)))
        if fail_with:
            self._hook(f"before-call.sfn.{operation}", fail)
        return seen

    def _hook(self, event: str, handler) -> None:
        clients.stepfunctions().meta.events.register(event, handler)
        self.hooks.append((event, handler))

    def unhook(self) -> None:
        for event, handler in self.hooks:
            clients.stepfunctions().meta.events.unregister(event, handler)

    def agent(self, **body) -> "Agent":
        run = self.create(**body)
        key, boot_token = self.add_instance(run["run_id"])
        return Agent(session_token(key), run["run_id"], key, boot_token)


def session_token(instance_key: str) -> str:
    """The session credential a registration would answer, without the registration's other effects."""
    session_id = instances.open_session(instance_key, tokens.new_session_id())
    return tokens.session(instance_key, session_id, session_key.get())


class Agent:
    """Calls the agent API as an instance's agent does: the boot routes with its boot token (from the
    user-data), every other with its session credential."""

    BOOT_ROUTES = ("/v1/agent/code", "/v1/agent/register")

    def __init__(self, token: str, run_id: str, instance_key: str, boot_token: str):
        self.token, self.run_id, self.instance_key, self.boot_token = token, run_id, instance_key, boot_token

    def respond(self, method: str, path: str, body=None, headers=None, auth: str | None = "default") -> dict:
        """The Lambda's whole proxy response."""
        if auth == "default":
            auth = f"Bearer {self.boot_token if path in self.BOOT_ROUTES else self.token}"
        hdrs = {**({"Authorization": auth} if auth else {}), **(headers or {})}
        raw = json.dumps(body).encode() if body is not None else b""
        return agent_handler(to_event(method, path, hdrs, raw, None), LambdaContext("agent-api"))

    def call(self, method: str, path: str, body=None, **kwargs) -> tuple[int, str]:
        res = self.respond(method, path, body, **kwargs)
        return res["statusCode"], res["body"]

    def post(self, path: str, body: dict, **kwargs) -> tuple[int, dict]:
        status, text = self.call("POST", path, body, **kwargs)
        return status, json.loads(text)

    def status(self, status: str, **fields) -> tuple[int, dict]:
        return self.post("/v1/agent/status", {"run_id": self.run_id, "status": status, **fields})

    def logs(self, seq, entries, run_id: str | None = None) -> tuple[int, dict]:
        return self.post("/v1/agent/logs", {"run_id": run_id or self.run_id, "seq": seq, "entries": entries})

    def events(self, last_event_id: str | None = None) -> tuple[int, str]:
        headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
        return self.call("GET", "/v1/agent/events", headers=headers)


def response_headers(res: dict) -> dict:
    merged = dict(res.get("headers") or {})
    merged.update({k: ", ".join(v) for k, v in (res.get("multiValueHeaders") or {}).items()})
    return {k.lower(): v for k, v in merged.items()}
