"""`repl local status|env` against the running embedded stack."""
import json


def test_status_json_names_the_api_the_emulated_aws_and_the_control_id(repl):
    out = repl("local", "status", "--json")
    state = json.loads(out.stdout)
    assert out.returncode == 0 and state["api_url"].startswith("http://127.0.0.1:")
    assert state["aws_endpoint"].startswith("http://127.0.0.1:") and len(state["control_id"]) == 6
    assert "token" not in state


def test_env_exports_let_boto3_inspect_the_emulated_account(repl):
    lines = repl("local", "env").stdout.splitlines()
    exported = dict(line.removeprefix("export ").split("=", 1) for line in lines)
    assert exported["AWS_ENDPOINT_URL"] == repl.state()["aws_endpoint"]
    assert exported["AWS_DEFAULT_REGION"] == "us-east-1"
    assert repl.ec2().describe_security_groups()["SecurityGroups"] is not None
