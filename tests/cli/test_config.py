"""Which control plane and which credentials: env var > config.toml > embedded stack > error."""
import pytest

from repl.auth import region_for
from tests.cli.conftest import LocalState, closed_port
from tests.cli.fake_plane import FakePlane, start

NO_PLANE = ("repl: no control plane configured: run 'repl local up' for the embedded stack, or set "
            "SKYREPL_CONTROL_PLANE_URL to your API URL (see README)\n")


@pytest.fixture
def other_plane():
    fake = FakePlane()
    server = start(fake)
    yield fake
    server.shutdown()
    server.server_close()


def write_config(home, url):
    (home / ".repl").mkdir(exist_ok=True)
    (home / ".repl" / "config.toml").write_text(f'api_url = "{url}"\n')


def test_the_env_var_wins_over_config_toml_and_the_embedded_stack(repl_main, plane, other_plane, home, control):
    write_config(home, other_plane.url)
    control.state = LocalState(other_plane.url)
    assert repl_main("run", "list", server=plane).exit_code == 0
    assert len(plane.requests) == 1 and other_plane.requests == []


def test_config_toml_wins_over_the_embedded_stack(repl_main, plane, other_plane, home, control):
    write_config(home, plane.url + "/")
    control.state = LocalState(other_plane.url)
    result = repl_main("run", "list")
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(plane.requests) == 1 and other_plane.requests == []


def test_the_running_embedded_stack_is_used_with_its_token_and_a_note(repl_main, plane, control):
    control.state = LocalState(plane.url, token="s3cret")
    result = repl_main("run", "list")
    assert result == (0, "ID  STATUS  EXIT  SPEC  REGION  SPOT  CREATED  DURATION  COST  COMMAND\n",
                      f"[repl] using the embedded stack at {plane.url} (repl local up)\n")
    assert plane.requests[0]["headers"]["Authorization"] == "Bearer s3cret"


def test_the_env_var_naming_the_embedded_stack_still_uses_its_token(repl_main, plane, control):
    control.state = LocalState(plane.url, token="s3cret")
    assert repl_main("run", "list", server=plane).stderr == ""
    assert plane.requests[0]["headers"]["Authorization"] == "Bearer s3cret"


def test_no_control_plane_at_all_exits_2_saying_what_to_do(repl_main):
    assert repl_main("run", "list") == (2, "", NO_PLANE)


def test_any_other_url_is_signed_with_sigv4_from_the_default_chain(repl_main, plane):
    repl_main("run", "list", server=plane, env={"AWS_REGION": "eu-west-1"})
    auth = plane.requests[0]["headers"]["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert "/eu-west-1/execute-api/aws4_request" in auth and "X-Amz-Date" in plane.requests[0]["headers"]


def test_the_signing_region_comes_from_the_api_gateway_host_name():
    assert region_for("abc123.execute-api.ap-south-1.amazonaws.com", {"AWS_REGION": "us-west-2"}) == "ap-south-1"
    assert region_for("api.example.com", {"AWS_DEFAULT_REGION": "eu-north-1"}) == "eu-north-1"
    assert region_for("api.example.com", {}) == "us-east-1"


def test_no_aws_credentials_exits_2_saying_to_configure_them(repl_main, plane, no_aws_credentials):
    result = repl_main("run", "list", server=plane)
    assert result.exit_code == 2 and "configure AWS credentials" in result.stderr
    assert plane.requests == []


def test_an_unreachable_control_plane_exits_2_with_the_reason(repl_main):
    url = f"http://127.0.0.1:{closed_port()}"
    result = repl_main("run", "list", env={"SKYREPL_CONTROL_PLANE_URL": url})
    assert result == (2, "", f"repl: cannot reach the control plane at {url}: Connection refused\n")


def test_an_api_gateway_refusal_prints_its_message(repl_main, plane):
    plane.fail("GET", "/v1/runs", status=403, raw={"message": "The security token included in the request is invalid."})
    assert repl_main("run", "list", server=plane) == (
        1, "", "repl: The security token included in the request is invalid.\n")


def test_a_broken_config_toml_is_a_usage_error(repl_main, home):
    write_config(home, 'oops"\nnot toml')
    result = repl_main("run", "list")
    assert result.exit_code == 2 and result.stderr.startswith(f"repl: cannot read {home / '.repl' / 'config.toml'}")
