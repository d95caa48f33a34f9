"""Warm pools end to end: `repl pool` against the embedded stack, runs that claim its instances, and
nothing left afterwards, instances (tagged or not) and open spot requests both."""
import json
import threading
import time

import pytest

SPEC = ("--spec", "t3.micro")


def every_live_instance(repl) -> list:
    """Tagged or not: a persistent request's replacement for an interrupted instance carries no tag."""
    pages = repl.ec2().get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}])
    return [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]


def open_spot_requests(repl) -> list:
    return [r["SpotInstanceRequestId"] for r in repl.ec2().describe_spot_instance_requests()["SpotInstanceRequests"]
            if r["State"] in ("open", "active", "disabled")]


def wait_for(predicate, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def pool(repl, name: str) -> dict:
    return repl.json("pool", "get", name)["pool"]


@pytest.fixture
def pools_deleted(repl):
    """Whatever a test left: its pools deleted, and then nothing of theirs running."""
    yield
    for p in repl.json("pool", "list")["pools"]:
        repl("pool", "delete", p["name"])
    wait_for(lambda: not every_live_instance(repl) and not open_spot_requests(repl), "every pool instance gone")


def test_a_pool_of_two_serves_three_runs_in_a_row_warm_and_is_refilled(repl, pools_deleted):
    made = repl("pool", "create", "cpu", *SPEC, "--size", "2", "--wait")
    assert made.returncode == 0, made.stderr
    assert "idle 2, booting 0, claimed 0" in made.stdout
    first_idle = {i["instance_id"] for i in pool(repl, "cpu")["instances"]}
    used = []
    for n in range(3):
        out = repl("run", *SPEC, "-c", f"echo warm {n}; echo $SKYREPL_RUN_ID >&2", "--no-sync")
        assert (out.returncode, out.stdout) == (0, f"warm {n}\n"), out.stderr
        run = repl.json("run", "list")["runs"][0]
        assert (run["status"], run["pool"]) == ("succeeded", "cpu")
        used.append(run["instance_id"])
        wait_for(lambda: pool(repl, "cpu")["idle"] == 2, "the pool back at its size")
    assert len(set(used)) == 3  # single-use: each run had an instance of its own, and each is gone now
    assert set(used[:2]) <= first_idle
    assert not set(used) & set(every_live_instance(repl))
    cold = repl("run", *SPEC, "--no-pool", "-c", "true", "--no-sync")
    assert cold.returncode == 0, cold.stderr
    assert repl.json("run", "list")["runs"][0]["pool"] is None
    listed = repl("pool", "list")
    assert listed.returncode == 0 and "cpu" in listed.stdout and "idle instances cost $" in listed.stderr


def test_two_runs_started_together_claim_different_instances(repl, pools_deleted):
    assert repl("pool", "create", "pair", *SPEC, "--size", "2", "--wait").returncode == 0
    outs = [None, None]

    def run(i):
        outs[i] = repl("run", *SPEC, "-c", f"echo {i}", "--no-sync", "--json")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = [json.loads(o.stdout)["run"] for o in outs]
    assert [r["status"] for r in got] == ["succeeded", "succeeded"], [o.stderr for o in outs]
    assert [r["pool"] for r in got] == ["pair", "pair"]
    assert got[0]["instance_id"] != got[1]["instance_id"]


def test_deleting_a_spot_pool_leaves_no_instance_and_no_open_spot_request(repl):
    assert repl("pool", "create", "spotty", *SPEC, "--size", "2", "--spot", "--wait").returncode == 0
    assert len(open_spot_requests(repl)) == 2 and len(every_live_instance(repl)) == 2
    gone = repl("pool", "delete", "spotty")
    assert (gone.returncode, gone.stdout) == (0, "deleted pool spotty\n"), gone.stderr
    assert every_live_instance(repl) == [] and open_spot_requests(repl) == []
    assert repl("pool", "get", "spotty").returncode != 0


def test_a_spot_pool_replaces_an_interrupted_idle_instance_and_its_requests_relaunch(repl, pools_deleted):
    assert repl("pool", "create", "spot1", *SPEC, "--size", "1", "--spot", "--wait").returncode == 0
    [before] = pool(repl, "spot1")["instances"]
    [request] = open_spot_requests(repl)
    repl.ec2().terminate_instances(InstanceIds=[before["instance_id"]])  # EC2 takes it back
    # the persistent request launches an (untagged) replacement of its own; the keeper cancels that
    # request, terminates both, and launches a fresh, registered instance
    after = wait_for(lambda: [i for i in pool(repl, "spot1")["instances"]
                              if i["instance_id"] != before["instance_id"] and i["registered_at"]],
                     "a registered replacement")
    assert len(after) == 1
    wait_for(lambda: len(every_live_instance(repl)) == 1, "only the replacement running")
    assert request not in open_spot_requests(repl) and len(open_spot_requests(repl)) == 1
    out = repl("run", *SPEC, "--spot", "-c", "echo on spot", "--no-sync")
    assert (out.returncode, out.stdout) == (0, "on spot\n"), out.stderr
    assert repl.json("run", "list")["runs"][0]["instance_id"] == after[0]["instance_id"]


def test_a_named_pool_that_does_not_match_is_refused_before_anything_starts(repl, pools_deleted):
    assert repl("pool", "create", "small", *SPEC, "--size", "0").returncode == 0
    out = repl("run", "--spec", "t3.small", "--pool", "small", "-c", "true", "--no-sync")
    assert out.returncode != 0 and "pool: small keeps t3.micro" in out.stderr and "differs in spec" in out.stderr
    out = repl("run", *SPEC, "--pool", "nope", "-c", "true", "--no-sync")
    assert out.returncode != 0 and "pool: nope is not one of your pools" in out.stderr
    out = repl("pool", "create", "small", *SPEC, "--size", "1")
    assert out.returncode != 0 and "name: you have a pool named small already" in out.stderr
    assert repl("pool", "create", "Bad_Name", *SPEC, "--size", "1").returncode != 0
