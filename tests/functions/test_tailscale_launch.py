"""Provision and Finalize with Tailscale, through the real state machine (moto) and a local Tailscale API."""
import base64
import json
import logging

import boto3
import pytest

from functions.core.records import Run
from functions.tailscale import API_KEY_PARAMETER, TAILNET_PARAMETER, client, config
from tests.functions.tailscale_fake import API_KEY, TAILNET, tailscale_api  # noqa: F401 - fixture
from tests.workflow.conftest import instance_of, stack  # noqa: F401 - fixture


@pytest.fixture
def logged():
    """Every record the control plane logs, extras included."""
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(f"{record.getMessage()} {record.__dict__}")
    logging.getLogger("skyrepl").addHandler(handler)
    yield lines
    logging.getLogger("skyrepl").removeHandler(handler)


@pytest.fixture
def tailnet(stack, tailscale_api, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TAILSCALE_API_URL", tailscale_api.api_url)
    boto3.client("ssm").put_parameter(Name=API_KEY_PARAMETER, Value=API_KEY, Type="SecureString")
    boto3.client("ssm").put_parameter(Name=TAILNET_PARAMETER, Value=TAILNET, Type="String")
    config.reset()
    yield tailscale_api
    config.reset()


def launched(stack) -> tuple[Run, str]:  # noqa: F811
    """(the run once its instance is launched, the instance's user-data script)"""
    run = stack.create_run()
    stack.agent(run.run_id)  # waits for the launch
    run = stack.run(run.run_id)
    data = boto3.client("ec2").describe_instance_attribute(InstanceId=run.instance_id, Attribute="userData")
    return run, base64.b64decode(data["UserData"]["Value"]).decode()


def everything_stored() -> str:
    ddb = boto3.client("dynamodb")
    return json.dumps([ddb.scan(TableName=t)["Items"] for t in ddb.list_tables()["TableNames"]])


def test_a_launch_joins_as_repl_run_id_with_the_key_only_in_its_file(stack, tailnet, logged):  # noqa: F811
    run, script = launched(stack)
    (key,) = tailnet.keys
    assert tailnet.calls() == [("POST", "/api/v2/tailnet/example.com/keys")]
    assert f'--auth-key="file:$ROOT/tailscale-key" --hostname=repl-{run.run_id} --ssh' in script
    (line,) = [line for line in script.splitlines() if key in line]
    assert line.strip() == f"printf '%s\\n' {key} > \"$ROOT/tailscale-key\""
    assert instance_of(run).tailscale_hostname == f"repl-{run.run_id}"
    stored = everything_stored()
    assert key not in stored and API_KEY not in stored and f"repl-{run.run_id}" in stored
    assert not [line for line in logged if key in line or API_KEY in line]


def test_finalize_removes_the_device_of_that_hostname_only(stack, tailnet):  # noqa: F811
    run = stack.create_run()
    agent = stack.agent(run.run_id)
    name = f"repl-{run.run_id}"
    tailnet.devices = [{"id": "1", "nodeId": "nMINE", "hostname": name, "name": f"{name}.tail0.ts.net"},
                       {"id": "2", "nodeId": "nOTHER", "hostname": name + "x", "name": f"{name}x.tail0.ts.net"}]
    agent.register()
    agent.wait_event(stack, "start_run")
    agent.exited(0)
    assert stack.wait_end(run.run_id).status == "succeeded"
    assert ("DELETE", "/api/v2/device/nMINE") in tailnet.calls()
    assert [d["nodeId"] for d in tailnet.devices] == ["nOTHER"]


def test_not_configured_means_no_tailscale_call_and_no_join(stack, tailscale_api, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TAILSCALE_API_URL", tailscale_api.api_url)
    config.reset()
    run, script = launched(stack)
    assert tailscale_api.seen == [] and "tailscale" not in script
    assert instance_of(run).tailscale_hostname is None


def test_a_tailscale_outage_never_stops_the_launch(stack, tailnet, logged, monkeypatch):  # noqa: F811
    monkeypatch.setattr(client, "RETRY_DELAYS", (0, 0, 0))
    tailnet.fail = [500] * 4
    run, script = launched(stack)
    assert run.status in ("booting", "running") and "tailscale" not in script
    assert len(tailnet.seen) == 4 and instance_of(run).tailscale_hostname is None
    warnings = [line for line in logged if "launching without Tailscale" in line]
    assert warnings and API_KEY not in "".join(logged)
