"""Per-user SSH end to end, on an embedded stack of its own whose SSH keys last TTL_SECONDS
(`SSH_KEY_TTL_SECONDS`): the real `repl ssh` makes a key for the run and sends it, the real agent
writes it into its sandbox's authorized_keys with its expiry before ssh runs (a fake `ssh` first on
PATH records that: nothing logs in), another owner can add no key, and the agent removes an expired one."""
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from functions.core.clock import parse_iso
from local import deploy
from local.emulator import authorized_keys
from local.gateway import LOCAL_IDENTITY
from tests.e2e.conftest import REPO, Repl
from tests.e2e.test_run import SPEC, wait_until

TTL_SECONDS = 20
MALLORY = "arn:aws:iam::123456789012:user/mallory"
CLOUD_INIT = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 skyrepl-us-east-1"  # the region key pair's line
FAKE_SSH = """#!/bin/sh
# what ssh was run with, and the instance's authorized_keys as it was at that moment
printf '%s\\n' "$@" > "$HOME/ssh-argv"
cat "$FAKE_SSH_AUTHORIZED_KEYS" > "$HOME/ssh-saw"
"""
# The user API's handler in a process of its own, on the stack's tables, as a caller the stack's
# one local identity is not (the gateway would make every request that identity's).
AS_CALLER = """import json, sys
from functions.api.handler import lambda_handler
from local.context import LambdaContext
from local.gateway import to_event
method, path, body, arn = json.loads(sys.stdin.read())
event = to_event(method, path, {"Content-Type": "application/json"}, json.dumps(body).encode() if body else b"", arn)
print(json.dumps(lambda_handler(event, LambdaContext("api"))))
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    cli = Repl(tmp_path_factory.mktemp("ssh-home"))
    (cli.home / "bin").mkdir()
    (cli.home / "bin" / "ssh").write_text(FAKE_SSH)
    (cli.home / "bin" / "ssh").chmod(0o755)
    cli.env.update(SSH_KEY_TTL_SECONDS=str(TTL_SECONDS), PATH=f"{cli.home / 'bin'}:{cli.env['PATH']}")
    up = cli("local", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    yield cli
    assert cli("local", "down").returncode == 0


@pytest.fixture(scope="module")
def run(stack):
    """A long run, running, with its address: (run id, its instance's authorized_keys)."""
    run_id = stack("run", *SPEC, "-c", "sleep 600", "--detach").stdout.strip()
    wait_until(lambda: any(i["run_id"] == run_id and i["public_ip"] and i["state"] == "running"
                           for i in stack.json("instance", "list")["instances"]), what="the run's instance")
    wait_until(lambda: stack.json("run", "get", run_id)["run"]["status"] == "running", what="the run to start")
    instance_id = stack.json("run", "get", run_id)["run"]["instance_id"]
    keys_file = authorized_keys(stack.home / ".repl" / "local" / "instances" / instance_id)
    keys_file.parent.mkdir(mode=0o700, parents=True)
    keys_file.write_text(CLOUD_INIT + "\n")  # as cloud-init does, before the agent has any key
    yield run_id, keys_file
    stack("run", "cancel", run_id)
    stack("run", "logs", run_id, "--follow")  # returns once the instance is confirmed terminated


def repl_ssh(stack, run_id: str, keys_file) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "repl", "ssh", run_id, "--", "true"], capture_output=True,
                          text=True, timeout=120, cwd=stack.cwd,
                          env={**stack.env, "FAKE_SSH_AUTHORIZED_KEYS": str(keys_file)})


def listed(stack, run_id: str) -> list:
    state = stack.state()
    request = urllib.request.Request(f"{state['api_url']}/v1/runs/{run_id}/ssh-keys",
                                     headers={"Authorization": f"Bearer {state['token']}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["ssh_keys"]


def as_caller(stack, arn: str, method: str, path: str, body=None) -> dict:
    state = stack.state()
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "AWS_ENDPOINT_URL": state["aws_endpoint"],
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_REGION": "us-east-1", "CONTROL_ID": state["control_id"], **deploy.table_env()}
    out = subprocess.run([sys.executable, "-c", AS_CALLER], input=json.dumps([method, path, body, arn]),
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=60, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_repl_ssh_sends_a_key_of_the_runs_own_which_the_agent_installs_with_its_expiry_first(stack, run):
    run_id, keys_file = run
    out = repl_ssh(stack, run_id, keys_file)
    assert out.returncode == 0, out.stderr
    key = stack.home / ".repl" / "keys" / "runs" / run_id
    argv = (stack.home / "ssh-argv").read_text().splitlines()
    assert argv[:4] == ["-i", str(key), "-o", "IdentitiesOnly=yes"] and argv[-2].startswith("ubuntu@")
    assert argv[-1] == "true"
    public = " ".join(key.with_name(f"{run_id}.pub").read_text().split()[:2])
    entry = next(k for k in listed(stack, run_id) if k["public_key"] == public)
    expires = parse_iso(entry["expires_at"]) // 1000
    assert entry["installed"] and abs(expires - time.time() - TTL_SECONDS) < 10  # the TTL: the deadline is 1 h on
    line = f'expiry-time="{time.strftime("%Y%m%d%H%M%S", time.localtime(expires))}" {public} # skyrepl {run_id}\n'
    assert line in (stack.home / "ssh-saw").read_text()  # there before ssh ran
    assert keys_file.read_text().startswith(CLOUD_INIT + "\n")
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600" and oct(keys_file.parent.stat().st_mode & 0o777) == "0o700"


def test_another_owner_can_add_no_key_and_nothing_reaches_the_agent(stack, run, tmp_path):
    run_id, keys_file = run
    subprocess.run(["ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", str(tmp_path / "k")], check=True)
    public = " ".join((tmp_path / "k.pub").read_text().split()[:2])
    answer = as_caller(stack, MALLORY, "POST", f"/v1/runs/{run_id}/ssh-keys", {"public_key": public})
    assert answer["statusCode"] == 404 and json.loads(answer["body"])["error"]["field"] == "run_id"
    assert as_caller(stack, MALLORY, "GET", f"/v1/runs/{run_id}/ssh-keys")["statusCode"] == 404
    assert as_caller(stack, LOCAL_IDENTITY, "GET", f"/v1/runs/{run_id}/ssh-keys")["statusCode"] == 200  # its owner
    time.sleep(2)  # an event would have reached the agent by now (its held poll is released at once)
    assert public not in keys_file.read_text()
    assert public not in [k["public_key"] for k in listed(stack, run_id)]


def test_the_agent_removes_an_expired_key_and_keeps_the_rest_of_the_file(stack, run):
    run_id, keys_file = run
    assert repl_ssh(stack, run_id, keys_file).returncode == 0
    public = " ".join((stack.home / ".repl" / "keys" / "runs" / f"{run_id}.pub").read_text().split()[:2])
    assert public in keys_file.read_text()
    # sshd refuses it from its expiry-time on; the agent's next turn after it removes the line
    wait_until(lambda: public not in keys_file.read_text(), timeout=TTL_SECONDS + 40, what="the expired key to go")
    assert keys_file.read_text().startswith(CLOUD_INIT + "\n") and listed(stack, run_id) == []


def test_keep_alive_keeps_the_instance_for_repl_ssh_until_repl_instance_terminate_ends_it(stack):
    out = stack("run", *SPEC, "-c", "echo done", "--keep-alive", "10m", "--no-sync")
    assert (out.returncode, out.stdout) == (0, "done\n"), out.stderr
    run = stack.json("run", "list")["runs"][0]
    run_id, instance_id = run["run_id"], run["instance_id"]
    assert run["status"] == "succeeded" and run["kept_until"] and run["terminated_at"] is None
    assert f"kept until {run['kept_until'][:19].replace('T', ' ')} UTC" in out.stderr
    assert f"repl instance terminate {run_id}" in out.stderr
    keys_file = authorized_keys(stack.home / ".repl" / "local" / "instances" / instance_id)
    keys_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not keys_file.exists():
        keys_file.write_text(CLOUD_INIT + "\n")
    ssh = repl_ssh(stack, run_id, keys_file)  # the command has ended: the instance and its agent are still up
    assert ssh.returncode == 0, ssh.stderr
    public = " ".join((stack.home / ".repl" / "keys" / "runs" / f"{run_id}.pub").read_text().split()[:2])
    assert public in (stack.home / "ssh-saw").read_text()
    ended = stack("instance", "terminate", run_id)
    assert ended.returncode == 0 and f"instance {instance_id} of run {run_id} terminated at" in ended.stdout, \
        ended.stderr
    assert instance_id not in [i["instance_id"] for i in stack.json("instance", "list")["instances"]]
    again = stack("run", "get", run_id, "--json")
    assert json.loads(again.stdout)["run"]["terminated_at"] and "succeeded" in again.stdout
