"""`repl setup`: where the URL comes from, what is checked before anything is saved, and what is refused.

The fake control plane listens on 127.0.0.1 only, so a public-looking URL reaches it the way an
HTTP proxy would carry it: `http_proxy` points at the fake, which serves the absolute-URI requests.
"""
import json
import stat

import boto3
import pytest
from moto import mock_aws

from tests.cli.test_ssh import PEM, instance

PUBLIC_URL = "http://api.skyrepl.test"
HEALTH = {"status": "ok", "control_id": "k3j9xa", "version": "0.1.0",
          "caller": "arn:aws:iam::123456789012:user/alice", "region": "us-east-1"}


@pytest.fixture
def proxied(plane, monkeypatch):
    """The plane answers health and the region's key, reached through http_proxy as PUBLIC_URL."""
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", plane.url)
    plane.routes[("GET", "/v1/health")] = (200, HEALTH)
    plane.routes[("GET", "/v1/admin/keys/us-east-1")] = (200, {"region": "us-east-1", "private_key": PEM})
    return plane


def test_setup_checks_a_signed_call_then_saves_the_url_and_sets_up_ssh(repl_main, proxied, home):
    (home / ".repl").mkdir()
    (home / ".repl/config.toml").write_text('api_url = "https://old.example"\nprofile = "x"\n\n[extra]\nk = 1\n')
    proxied.instances = [instance()]
    result = repl_main("setup", "--api-url", PUBLIC_URL + "/")
    assert result.exit_code == 0, result.stderr
    assert (home / ".repl/config.toml").read_text() == f'api_url = "{PUBLIC_URL}"\nprofile = "x"\n\n[extra]\nk = 1\n'
    assert "signed in as arn:aws:iam::123456789012:user/alice" in result.stdout
    health = proxied.calls("GET", "/v1/health")[0]
    assert health["headers"]["Authorization"].startswith("AWS4-HMAC-SHA256 ")  # SigV4: the IAM-auth route
    key = home / ".repl/keys/aws-us-east-1.pem"
    assert key.read_text() == PEM + "\n" and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "SSH key for us-east-1: ~/.repl/keys/aws-us-east-1.pem" in result.stdout
    assert "with 1 entry (repl-r1)" in result.stdout and "IdentityFile ~/.repl/keys/runs/r1\n" in (
        home / ".repl/ssh_config").read_text()  # a key of the user's own for the run, as `repl ssh-config`


def test_a_user_iam_refuses_the_region_key_hears_it_in_one_line_and_setup_goes_on(repl_main, proxied, home):
    proxied.instances = [instance()]
    proxied.fail("GET", "/v1/admin/keys/us-east-1", status=403, raw={"message": "Forbidden"})
    result = repl_main("setup", "--api-url", PUBLIC_URL)
    assert result.exit_code == 0 and result.stderr == (
        "[repl] region SSH keys are for administrators (not you, says IAM): `repl ssh` makes a key of your own "
        "for each run\n")
    assert not (home / ".repl/keys/aws-us-east-1.pem").exists() and "with 1 entry (repl-r1)" in result.stdout


@pytest.mark.parametrize("url", ["http://127.0.0.1:8750", "http://localhost/prod", "https://[::1]:443",
                                 "http://0.0.0.0:8750", "http://api.localhost"])
def test_a_loopback_url_is_refused_with_the_reason_and_nothing_is_sent_or_saved(repl_main, proxied, home, url):
    result = repl_main("setup", "--api-url", url)
    assert result.exit_code == 2 and "is a loopback address" in result.stderr and "repl local up" in result.stderr
    assert proxied.requests == [] and not (home / ".repl/config.toml").exists()


def test_an_unreachable_url_is_refused_and_nothing_is_saved(repl_main, home, monkeypatch):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # discard: nothing listens
    result = repl_main("setup", "--api-url", PUBLIC_URL)
    assert result.exit_code == 2 and "cannot reach the control plane" in result.stderr
    assert result.stderr.rstrip().endswith("nothing saved") and not (home / ".repl/config.toml").exists()


def test_credentials_the_api_refuses_point_to_get_caller_identity(repl_main, proxied, home):
    proxied.routes[("GET", "/v1/health")] = (403, {"message": "The security token included in the request is invalid"})
    result = repl_main("setup", "--api-url", PUBLIC_URL)
    assert result.exit_code == 2 and "refused your AWS credentials" in result.stderr
    assert "aws sts get-caller-identity" in result.stderr and not (home / ".repl/config.toml").exists()


def test_a_url_that_is_not_a_control_plane_is_refused(repl_main, proxied, home):
    proxied.routes[("GET", "/v1/health")] = (404, {"message": "Not Found"})
    result = repl_main("setup", "--api-url", PUBLIC_URL)
    assert result.exit_code == 2 and "does not answer as a SkyREPL control plane" in result.stderr
    assert not (home / ".repl/config.toml").exists()


def test_setup_refuses_a_url_that_is_not_http(repl_main, home):
    result = repl_main("setup", "--api-url", "ftp://example.com")
    assert result.exit_code == 2 and "--api-url: 'ftp://example.com' is not an http(s) URL" in result.stderr
    assert not (home / ".repl/config.toml").exists()


def deploy_stack(name: str, outputs: dict, region: str = "eu-west-1") -> None:
    template = {"Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {key: {"Value": value} for key, value in outputs.items()}}
    boto3.client("cloudformation", region_name=region).create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_the_url_comes_from_the_stacks_api_url_output(repl_main, proxied, home):
    with mock_aws():
        deploy_stack("SkyReplTeam", {"ApiUrl": PUBLIC_URL})
        result = repl_main("setup", "--stack", "SkyReplTeam", "--region", "eu-west-1")
    assert result.exit_code == 0, result.stderr
    assert (home / ".repl/config.toml").read_text() == f'api_url = "{PUBLIC_URL}"\n'


def test_with_nothing_configured_setup_looks_for_the_default_stack_and_says_what_to_do(repl_main, home):
    with mock_aws():
        missing = repl_main("setup", "--region", "eu-west-1")
        deploy_stack("Other", {"Something": "else"})
        not_ours = repl_main("setup", "--stack", "Other", "--region", "eu-west-1")
    assert missing.exit_code == 2 and "SkyRepl" in missing.stderr and "cdk deploy" in missing.stderr
    assert not_ours.exit_code == 2 and "stack Other has no ApiUrl output" in not_ours.stderr
