"""Shared fixtures: moto in-process with the KV table and Canonical's images, plus botocore hooks.

Calls are counted and AWS errors injected with `before-call` hooks on the provider's own cached
clients: every other call still reaches moto (see reference/sketches/moto_inject_aws_errors.py).
"""
import pytest
from moto import mock_aws

from functions.aws import clients, provider
from functions.aws.bootstrap import user_data
from functions.core import naming
from functions.store.schema import KV
from local import amis, deploy

REGION, OTHER_REGION = "us-east-1", "eu-west-1"
DEADLINE = "2099-01-01T00:00:00.000Z"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, KV.env_var: deploy.table_name(KV),
                        # moto's ~1,300 stock images per region cost seconds per test; ours are seeded below
                        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        deploy.create_table(KV, REGION)
        amis.seed_canonical_amis(regions=(REGION, OTHER_REGION))
        clients.reset()
        yield
    clients.reset()


def calls(client) -> list:
    """Names of the operations this client performs from now on."""
    seen = []
    client.meta.events.register(f"before-call.{client.meta.service_model.service_name}",
                                lambda model, **_: seen.append(model.name))
    return seen


def inject(client, operation: str, code: str, message: str = "injected", times: int = 1) -> None:
    """The next `times` calls of `operation` answer `code` (moto cannot); the rest reach moto."""
    left = {"n": times}

    def hook(**_):
        if left["n"] > 0:
            left["n"] -= 1
            http = type("Response", (), {"status_code": 400, "headers": {}})()
            return http, {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None

    client.meta.events.register(f"before-call.{client.meta.service_model.service_name}.{operation}", hook)


def request(region=REGION, control_id="c1", run_id="r1", spot=False, version="noble") -> provider.LaunchRequest:
    boot = provider.startup(region)
    return provider.LaunchRequest(
        region=region, instance_type="t3.micro", image_id=provider.resolve_ami(region, version, "amd64"),
        spot=spot, user_data=user_data("https://api.example/prod", "kabc.secret"),
        client_token=naming.client_token(control_id, run_id),
        tags=naming.instance_tags(control_id, run_id, DEADLINE),
        security_group_id=boot["security_group_id"], key_name=boot["key_name"])
