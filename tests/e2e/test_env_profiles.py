"""`--env` reaches the command and no stored record; repl.toml's profile defaults apply, flags win."""
import hashlib
import json

import boto3

from tests.e2e.test_run import SPEC

SECRET = "e2e-s3cret-0b6f1e52"


def stored_items(repl) -> str:
    """Every item of every table in the emulated account, as text."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=repl.state()["aws_endpoint"],
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    return json.dumps([dynamodb.scan(TableName=name)["Items"] for name in dynamodb.list_tables()["TableNames"]])


def test_env_reaches_the_command_and_is_absent_from_every_stored_record(repl):
    # The command proves it has the value without printing it (its output is stored, as it should be).
    out = repl("run", *SPEC, "--env", f"API_TOKEN={SECRET}", "-c", 'printf %s "$API_TOKEN" | sha256sum | cut -c1-64')
    assert (out.returncode, out.stdout) == (0, hashlib.sha256(SECRET.encode()).hexdigest() + "\n"), out.stderr
    run = repl.json("run", "list")["runs"][0]
    assert run["env_names"] == ["API_TOKEN"]
    assert SECRET not in json.dumps(repl.json("run", "get", run["run_id"])) and SECRET not in stored_items(repl)
    assert SECRET not in repl("run", "get", run["run_id"]).stdout


def test_a_profiles_defaults_apply_and_a_flag_overrides_them(repl):
    (repl.home / "repl.toml").write_text('spec = "t3.micro"\nenv = { WHO = "file", WHERE = "file" }\n\n'
                                         '[profile.arm]\nspec = "ubuntu:jammy:arm64"\nenv = { WHO = "profile" }\n')
    try:
        out = repl("run", "-p", "arm", "--env", "WHERE=flag", "-c", 'echo "$WHO $WHERE $(uname -m)"')
    finally:
        (repl.home / "repl.toml").unlink()
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:2] == ["profile", "flag"]
    run = repl.json("run", "list")["runs"][0]
    assert (run["spec"], run["instance_type"]) == ("ubuntu:jammy:arm64", "t4g.micro")
