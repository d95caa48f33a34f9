"""End to end: the real `repl` CLI (a subprocess) against the embedded stack it starts with
`repl local up`: real HTTP, the real state machine in moto, the real agent as a process."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]


class Repl:
    def __init__(self, home: Path):
        self.home = home
        self.env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
        self.env.pop("SKYREPL_CONTROL_PLANE_URL", None)
        self.cwd = home / "work"  # a `repl run` from ~ itself is refused (it would ship ~/.aws)
        self.cwd.mkdir(parents=True, exist_ok=True)

    def __call__(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "repl", *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, cwd=self.cwd)

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "repl", *args], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.cwd)

    def json(self, *args: str) -> dict:
        out = self(*args, "--json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def state(self) -> dict:
        return json.loads((self.home / ".repl" / "local" / "state.json").read_text())

    def ec2(self, region: str = "us-east-1"):
        return boto3.client("ec2", region_name=region, endpoint_url=self.state()["aws_endpoint"],
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def live_instances(self, region: str = "us-east-1") -> list:
        pages = self.ec2(region).get_paginator("describe_instances").paginate(Filters=[
            {"Name": "tag:skyrepl:managed", "Values": ["true"]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]}])
        return [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]


@pytest.fixture(scope="session")
def repl(tmp_path_factory):
    cli = Repl(tmp_path_factory.mktemp("home"))
    up = cli("local", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    yield cli
    down = cli("local", "down")
    assert down.returncode == 0, down.stderr


TERMINATION_SECONDS = 60  # a run ends for its user at the command's end; the workflow terminates after


@pytest.fixture(autouse=True)
def nothing_left_running(request):
    yield
    if "repl" in request.fixturenames:
        cli = request.getfixturevalue("repl")
        for region in ("us-east-1", "eu-west-1"):
            deadline = time.monotonic() + TERMINATION_SECONDS
            while cli.live_instances(region) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert cli.live_instances(region) == [], f"an instance of ours is still pending or running in {region}"
