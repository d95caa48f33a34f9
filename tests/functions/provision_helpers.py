"""A fresh moto account per test (conftest's `aws`) with every table, runs created as the API creates
them (the state machine is not started), and the user API called in-process."""
import json

import pytest

from functions.api import runs as service
from functions.api.handler import lambda_handler as api_handler
from functions.aws import clients, stepfunctions
from functions.core.records import Run
from functions.store.schema import ALL_TABLES, KV
from local import deploy
from local.context import LambdaContext
from local.gateway import to_event

OWNER = "arn:aws:iam::123456789012:user/alice"


@pytest.fixture
def api(aws, monkeypatch):
    for name, value in {**deploy.table_env(), "CONTROL_ID": "sshtst", "API_URL": "https://api.example/prod"}.items():
        monkeypatch.setenv(name, value)
    for table in ALL_TABLES:
        if table is not KV:  # `aws` made that one
            deploy.create_table(table)
    monkeypatch.setattr(stepfunctions, "start", lambda run: f"arn:execution:{run.run_id}")
    clients.reset()
    return Api()


class Api:
    def call(self, method: str, path: str, owner: str | None = OWNER) -> tuple[int, dict]:
        res = api_handler(to_event(method, path, {}, b"", owner), LambdaContext("api"))
        return res["statusCode"], json.loads(res["body"])

    def create(self, **body) -> Run:
        """The stored run, as POST /v1/runs creates it (the state machine is not started)."""
        run, _replayed = service.create_run(OWNER, {"spec": "t3.micro", "command": "echo hi", **body})
        return run
