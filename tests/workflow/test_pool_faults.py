"""The fault matrix's claim phase: a run takes an idle pool instance through the real state machine while
one fault strikes; each case ends with the run terminal (with a reason), the sweeper finding nothing to
do, and, once the pool is deleted, no instance and no open spot request left.

(The pool's other phases, replenish, idle and delete, are tests/functions/test_pools.py's matrix: they
are the keeper's and the sweeper's, with no workflow in them.)"""
import base64
import re

import boto3
import pytest

from functions.api import pools as pool_service, runs as run_service
from functions.api.models import CreatePool
from functions.aws import clients
from functions.core.errors import ThrottlingError
from functions.lifecycle import pool_claims as claims
from functions.store import instances, pools, runs
from functions.sweeper import sweep as sweeper
from tests.workflow.conftest import OWNER, FakeAgent, inject
from tests.workflow.test_fault_matrix import Faults

SPEC = "ubuntu:noble:amd64"
# fault -> the run's terminal status
CASES = {
    "task fails once": "succeeded",  # the create claimed; Provision retried finds the claim
    "answer lost after the claim": "succeeded",  # retried: the run has its instance, nothing claimed again
    "throttled after the claim": "succeeded",  # at create, before the run recorded it: Provision takes the same one
    "start_run push throttled": "succeeded",  # retried after the start was claimed: the command still goes
    "task fails always": "error",  # the create's claim: Cleanup terminates the instance
    "create's claim fails": "succeeded",  # logged: Provision claims instead
    "cancelled before Provision": "cancelled",  # Provision sees the cancel: Cleanup terminates the claimed instance
    "crashes after the claim": "error",  # not retried, the claim unrecorded: Cleanup finds it from the pool
    "claimed agent goes silent": "error",  # the heartbeat times out, Cleanup terminates (a request: cancelled)
    "TerminateInstances NotFound": "succeeded",  # Finalize confirms with EC2 and terminates again
    "control plane restarted": "succeeded",
}


def idle_agent(stack, spot: bool) -> FakeAgent:
    """A pool of one, its instance registered and idle; its agent."""
    pool_service.create(OWNER, CreatePool(name="cpu", spec=SPEC, size=1, spot=spot).model_dump())
    pool = pools.get(OWNER, "cpu")
    member = stack.wait_for(lambda: next((m for m in instances.pool_members(pool.pool_id) if m.instance_id), None),
                            what="the pool's instance")
    data = boto3.client("ec2").describe_instance_attribute(InstanceId=member.instance_id, Attribute="userData")
    script = base64.b64decode(data["UserData"]["Value"]).decode()
    agent = FakeAgent(re.search(r"(k[0-9a-z]{15}\.[A-Za-z0-9_-]+)", script).group(1), None)
    assert agent.register()[0] == 200 and agent.start is None  # idle: no command yet
    return agent


def open_spot_requests() -> list:
    return [r["SpotInstanceRequestId"] for r in boto3.client("ec2").describe_spot_instance_requests()[
        "SpotInstanceRequests"] if r["State"] in ("open", "active", "disabled")]


# Spot pools for every fault: their teardown is the one with a trap (the request cancelled first); on-demand
# for the faults whose teardown differs by market (each case boots a pool: the suite's time is counted)
MARKETS = [(fault, True) for fault in CASES] + [(fault, False) for fault in (
    "task fails always", "crashes after the claim", "claimed agent goes silent", "TerminateInstances NotFound",
    "cancelled before Provision")]


@pytest.mark.parametrize("fault, spot", MARKETS, ids=[f"{f.replace(' ', '_')}-{'spot' if s else 'on-demand'}"
                                                      for f, s in MARKETS])
def test_a_fault_while_a_run_claims_a_pool_instance_leaves_nothing_behind(stack, monkeypatch, fault, spot):
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)
    agent = idle_agent(stack, spot)
    faults, throttled = Faults(monkeypatch), []
    if fault == "task fails once":
        faults.failing["Provision"] = "once"
    elif fault == "answer lost after the claim":
        faults.failing["Provision"] = "lost once"
    elif fault == "throttled after the claim":  # the write that records the claim on the run, throttled once
        def claim_then_throttled(run, pool, original=claims.claim):
            claimed = original(run, pool)
            if claimed and not throttled:
                throttled.append(run.run_id)
                raise ThrottlingError("injected: the run's update was throttled")
            return claimed
        monkeypatch.setattr(claims, "claim", claim_then_throttled)
    elif fault == "crashes after the claim":  # a bug, say: not an error the state machine retries
        def claim_then_crash(run, pool, original=claims.claim):
            claimed = original(run, pool)
            throttled.append(claimed.instance_key)  # (what was claimed, to check it is gone)
            raise RuntimeError("injected: Provision crashed after its claim")
        monkeypatch.setattr(claims, "claim", claim_then_crash)
    elif fault == "start_run push throttled":
        def push_throttled(instance_key, kind, data, original=instances.push_event):
            if kind == "start_run" and not throttled:
                throttled.append(data["run_id"])
                raise ThrottlingError("injected: the event's write was throttled")
            return original(instance_key, kind, data)
        monkeypatch.setattr(instances, "push_event", push_throttled)
    elif fault == "task fails always":
        faults.failing["Provision"] = "always"
    elif fault == "TerminateInstances NotFound":
        faults.at("Finalize", lambda: faults.injected.append(inject(
            clients.ec2("us-east-1"), "TerminateInstances", "InvalidInstanceID.NotFound", times=1)))
    elif fault == "control plane restarted":
        faults.at("Provision", clients.reset)
    elif fault == "create's claim fails":  # the create's, once: not Provision's
        def create_claim_fails(run, pool, original=claims.claim):
            if not throttled:
                throttled.append(run.run_id)
                raise ThrottlingError("injected: the claim's write was throttled")
            return original(run, pool)
        monkeypatch.setattr(claims, "claim", create_claim_fails)
    elif fault == "cancelled before Provision":  # the command queued by the create, not yet taken by the agent
        faults.at("Provision", lambda: run_service.cancel_run(OWNER, agent.run_id))
    run = stack.create_run(spot=spot)
    agent.run_id = run.run_id
    if fault in ("create's claim fails", "throttled after the claim"):  # (the latter's instance claimed: Provision's)
        assert run.warm_pool is None and run.status == "pending"  # as if there were no claim at create
    elif fault not in ("crashes after the claim",):
        assert run.status == "booting" and run.warm_pool == "cpu"  # the create claimed
    if fault not in ("task fails always", "crashes after the claim", "cancelled before Provision"):
        stack.wait_for(lambda: stack.run(run.run_id).warm_pool, what="the claim")
        if fault != "claimed agent goes silent":
            agent.wait_event(stack, "start_run")
            assert agent.exited(0)[0] == 200
    ended = stack.wait_end(run.run_id, timeout=30)

    assert faults.all_struck(), (faults.on_entry, faults.failing, faults.injected)
    assert bool(throttled) == ("throttled" in fault or fault in ("crashes after the claim", "create's claim fails"))
    assert (ended.status, bool(ended.reason)) == (CASES[fault], True), ended.reason
    claimed = [m for p in pools.every() for m in instances.pool_members(p.pool_id) if m.run_id]
    assert claimed == []  # the run's instance has ended with it; no other was claimed on the way
    swept = sweeper.sweep()
    assert swept["terminated"] == [] and swept["orphan_ids"] == [], "the workflow left the sweeper work to do"
    pool_service.delete(OWNER, "cpu")
    stack.wait_for(lambda: pools.get(OWNER, "cpu") is None and not stack.live_instances() and not open_spot_requests(),
                   what="the pool deleted, nothing of it left")
    assert runs.get(run.run_id).terminated_ms
