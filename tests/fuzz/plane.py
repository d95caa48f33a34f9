"""The embedded stack the fuzzer calls (`repl local up` in a home of its own), kept quiet enough that
a digest of its state before and after a request shows whether that request changed anything.

No fuzzed run may run its command on this machine: every RunInstances fails (faults.json) with a
permission error, which Provision does not retry, so a run the fuzzer creates ends `error` within a
second and nothing keeps writing. The agent API gets an instance of its own, recorded as Provision
records one (its token's hash on the record), with no EC2 instance behind it and so no agent."""
import hashlib
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest

from functions.aws import clients, session_key
from functions.core import naming, states, tokens
from functions.core.clock import now_ms
from functions.store import instances, runs
from local import deploy
from local.deploy import table_env
from local.gateway import LOCAL_IDENTITY
from tests.functions.tailscale_fake import FakeTailscale
from tests.records import make_instance, make_run

REPO = Path(__file__).resolve().parents[2]
SETTLE_SECONDS = 30  # for a fuzzed run's workflow to end (it fails at its launch)
LIVE = ["pending", "running", "stopping", "stopped"]


class Plane:
    def __init__(self, home: Path):
        self.home = home
        # No scheduled sweep: it settles ended runs at its own moment (`POST /v1/admin/orphans/scan` still sweeps).
        # No held answers (as API Gateway): a fuzzed `?wait=` must not outlast the client's timeout.
        # A fuzzed PUT /v1/admin/tailscale stores a well-formed key: the launches and sweeps after it must
        # not reach the real Tailscale API (network is loopback only), nor wait out retries on a closed
        # port, so they talk to the tests' stand-in.
        self.tailscale = FakeTailscale()
        self.env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO), "NO_COLOR": "1",
                    "SKYREPL_LOCAL_SWEEP_SECONDS": "0", "SKYREPL_LOCAL_MAX_WAIT_SECONDS": "0",
                    "TAILSCALE_API_URL": self.tailscale.api_url}
        for name in ("SKYREPL_CONTROL_PLANE_URL", "TAILSCALE_API_KEY", "TAILSCALE_TAILNET"):
            self.env.pop(name, None)
        self.state: dict = {}

    def repl(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "repl", *args], env=self.env, capture_output=True, text=True,
                              timeout=120, cwd=self.home)
        assert done.returncode == 0, done.stdout + done.stderr

    def up(self) -> "Plane":
        local = self.home / ".repl" / "local"
        local.mkdir(parents=True, mode=0o700)
        # Nothing a fuzzed request asks for is ever launched: a run's workflow fails at its launch, and a
        # pool's keeper at its (a spot pool's persistent request too, whose instances would boot agents
        # that write as they poll, changing the state under the fuzzer's feet)
        (local / "faults.json").write_text(json.dumps([{"call": call, "code": "UnauthorizedOperation", "times": 10 ** 6}
                                                       for call in ("ec2:RunInstances", "ec2:RequestSpotInstances")]))
        self.repl("local", "up")
        self.state = json.loads((local / "state.json").read_text())
        return self

    def down(self) -> None:
        try:
            self.repl("local", "down", "--now")
        finally:
            self.tailscale.stop()

    def client(self, service: str):
        return boto3.client(service, region_name=self.state["region"], endpoint_url=self.state["aws_endpoint"],
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def seed_agent(self) -> tuple[str, str]:
        """An instance of a running run, recorded as Provision records it and registered: its run's id, and
        the session credential its agent would hold (which opens the boot routes as well)."""
        key = "k" + naming.new_id(15)
        token, token_hash = tokens.mint(key)
        run = make_run("r" + naming.new_id(9), owner=LOCAL_IDENTITY, status=states.RUNNING, started_ms=now_ms(),
                       start_sent_ms=now_ms(), instance_key=key, artifacts=("out/*.csv",))
        with self._store():
            runs.create(run)
            instances.create(make_instance(key, run_id=run.run_id, owner=LOCAL_IDENTITY, state=states.INST_RUNNING,
                                           instance_id="i-0" + naming.new_id(16), token_hashes=(token_hash,)))
            session = tokens.session(key, instances.open_session(key, tokens.new_session_id()), session_key.get())
        return run.run_id, session

    def has_ended(self, run_id: str) -> bool:
        with self._store():
            return runs.get(run_id).ended

    @contextmanager
    def _store(self):
        """functions.store, for a moment, pointed at this stack's emulated AWS rather than the tests' moto."""
        try:
            with pytest.MonkeyPatch.context() as env:
                for name, value in {**deploy.table_env(), "AWS_ENDPOINT_URL": self.state["aws_endpoint"]}.items():
                    env.setenv(name, value)
                clients.reset()
                yield
        finally:
            clients.reset()

    def digest(self) -> str:
        """Everything a request could have written: DynamoDB items, S3 objects and SSM parameters as the
        stack's history keeps them (local/history.py: any write grows a journal or writes a file before
        its answer leaves, so even a write of what was there is seen), the executions, the instances."""
        history = self.home / ".repl" / "local" / "history"
        written = sorted((str(p.relative_to(history)), p.stat().st_size, p.stat().st_mtime_ns)
                         for p in history.rglob("*") if p.is_file())
        state = {"written": written, "executions": sorted((e["name"], e["status"]) for e in self.executions()),
                 "instances": sorted(self.instances())}
        return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()

    def executions(self) -> list[dict]:
        sfn = self.client("stepfunctions")
        return [e for m in sfn.list_state_machines()["stateMachines"]
                for e in _pages(sfn.list_executions, "executions", stateMachineArn=m["stateMachineArn"])]

    def instances(self, states_: list | None = None) -> list[tuple[str, str]]:
        filters = [{"Name": "instance-state-name", "Values": states_}] if states_ else []
        pages = self.client("ec2").get_paginator("describe_instances").paginate(Filters=filters)
        return [(i["InstanceId"], i["State"]["Name"]) for p in pages for r in p["Reservations"] for i in r["Instances"]]

    def settle(self) -> None:
        """Until no workflow runs (an accepted request may have started one)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while any(e["status"] == "RUNNING" for e in self.executions()):
            assert time.monotonic() < deadline, "a fuzzed run's workflow is still running"
            time.sleep(0.05)
        while self.pools_being_kept():  # ...nor a keep an accepted pool request asked for (it is async)
            assert time.monotonic() < deadline, "a fuzzed pool's keeper is still at work"
            time.sleep(0.05)

    def pools_being_kept(self) -> list:
        items = _pages(self.client("dynamodb").scan, "Items", TableName=table_env()["POOLS_TABLE"])
        return [i for i in items if int(i.get("wanted_ms", {"N": "0"})["N"]) > int(i.get("kept_ms", {"N": "-1"})["N"])]


def _pages(call, key: str, **kwargs) -> list:
    items = []
    while True:
        page = call(**kwargs)
        items += page.get(key, [])
        token = page.get("LastEvaluatedKey") or page.get("NextToken") or page.get("NextContinuationToken")
        if not token:
            return items
        if "LastEvaluatedKey" in page:
            kwargs["ExclusiveStartKey"] = token
        elif "NextContinuationToken" in page:
            kwargs["ContinuationToken"] = token
        else:
            kwargs["NextToken"] = token
