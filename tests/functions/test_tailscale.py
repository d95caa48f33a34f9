"""The Tailscale API client against a real local server, and where its configuration comes from."""
import os

import boto3
import pytest

from functions.tailscale import API_KEY_PARAMETER, TAILNET_PARAMETER, config
from functions.tailscale.client import Client, TailscaleError
from functions.tailscale.config import Config
from tests.functions.tailscale_fake import API_KEY, TAILNET, tailscale_api  # noqa: F401 - fixture


@pytest.fixture
def client(tailscale_api):  # noqa: F811
    sleeps = []
    return Client(Config(tailnet=TAILNET, api_url=tailscale_api.api_url, api_key=API_KEY), sleep=sleeps.append), sleeps


def test_an_auth_key_is_one_off_ephemeral_preauthorised_and_short_lived(client, tailscale_api):  # noqa: F811
    key = client[0].create_auth_key("repl-r1", "skyrepl run r1")
    (call,) = tailscale_api.seen
    assert key == tailscale_api.keys[0]
    assert (call["method"], call["path"]) == ("POST", "/api/v2/tailnet/example.com/keys")
    assert call["auth"] == f"Bearer {API_KEY}"
    assert call["body"] == {"capabilities": {"devices": {"create": {
        "reusable": False, "ephemeral": True, "preauthorized": True}}},
        "expirySeconds": 900, "description": "skyrepl run r1"}


def test_devices_are_found_by_hostname_or_magicdns_name_and_deleted_by_id(client, tailscale_api):  # noqa: F811
    tailscale_api.devices = [{"nodeId": "n1", "hostname": "repl-r1", "name": "repl-r1.tail0.ts.net"},
                             {"nodeId": "n2", "hostname": "other", "name": "repl-r1.tail0.ts.net"},
                             {"nodeId": "n3", "hostname": "repl-r10", "name": "repl-r10.tail0.ts.net"},
                             {"nodeId": "n4", "hostname": "repl-r1-1", "name": "repl-r1-1.tail0.ts.net"}]
    assert [d["nodeId"] for d in client[0].find_devices("repl-r1")] == ["n1", "n2"]
    client[0].delete_device("n1")
    assert tailscale_api.calls() == [("GET", "/api/v2/tailnet/example.com/devices"), ("DELETE", "/api/v2/device/n1")]


def test_a_429_is_retried_after_1_s(client, tailscale_api):  # noqa: F811
    tailscale_api.fail = [429]
    assert client[0].create_auth_key("repl-r1") == tailscale_api.keys[0]
    assert client[1] == [1] and len(tailscale_api.seen) == 2


def test_5xx_is_retried_after_1_2_4_s_then_fails_typed_without_the_key(client, tailscale_api):  # noqa: F811
    tailscale_api.fail = [500, 502, 503, 504]
    with pytest.raises(TailscaleError) as caught:
        client[0].find_devices("repl-r1")
    assert client[1] == [1, 2, 4] and caught.value.status == 504
    assert "GET /tailnet/example.com/devices answered 504" in str(caught.value)
    assert API_KEY not in str(caught.value) and "kTEST123" not in repr(caught.value)


def test_a_refusal_is_not_retried_nor_a_redirect_followed(client, tailscale_api):  # noqa: F811
    tailscale_api.fail = [403, 302]
    for _ in range(2):
        with pytest.raises(TailscaleError) as caught:
            client[0].create_auth_key("repl-r1")
        assert API_KEY not in str(caught.value)
    assert client[1] == [] and len(tailscale_api.seen) == 2  # the redirect's target was never asked


def test_an_unreachable_api_is_retried_then_named_without_the_key():
    sleeps = []
    api = Client(Config(tailnet=TAILNET, api_url="http://127.0.0.1:9/api/v2", api_key=API_KEY), sleep=sleeps.append)
    with pytest.raises(TailscaleError) as caught:
        api.delete_device("n1")
    assert sleeps == [1, 2, 4] and "DELETE /device/n1 failed" in str(caught.value)
    assert API_KEY not in str(caught.value) and API_KEY not in repr(api._config)


def test_configured_only_when_both_parameters_exist(aws, monkeypatch):
    monkeypatch.delenv("TAILSCALE_API_URL", raising=False)
    ssm = boto3.client("ssm")
    config.reset()
    assert not config.configured()
    ssm.put_parameter(Name=API_KEY_PARAMETER, Value=API_KEY, Type="SecureString")
    config.reset()
    assert not config.configured()
    ssm.put_parameter(Name=TAILNET_PARAMETER, Value=TAILNET, Type="String")
    config.reset()
    assert config.load() == Config(tailnet=TAILNET, api_url="https://api.tailscale.com/api/v2", api_key=API_KEY)
    config.reset()


def test_the_embedded_stack_moves_the_environment_into_the_emulated_ssm(aws, monkeypatch, tmp_path):
    from local.stack import Stack
    monkeypatch.setenv("TAILSCALE_API_KEY", API_KEY)
    monkeypatch.setenv("TAILSCALE_TAILNET", TAILNET)
    Stack(tmp_path, "c1")._tailscale()
    assert config.load().api_key == API_KEY and config.load().tailnet == TAILNET
    assert "TAILSCALE_API_KEY" not in os.environ and "TAILSCALE_TAILNET" not in os.environ
    config.reset()
