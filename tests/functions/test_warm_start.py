"""The claim at create (functions/lifecycle/warm_start.py): POST /v1/runs takes a matching pool's idle
instance and queues its command in the same request; Provision, after it, finds the run claimed and
neither sends the command again nor moves the run back; a claim or a start that fails at create is
left to Provision or to a replay, and the command goes only once a workflow is there to end the run."""
import json

import pytest

from functions.api.handler import lambda_handler as api_handler
from functions.aws import lambdas, stepfunctions
from functions.core import naming
from functions.core.clock import now_ms
from functions.core.errors import AwsError
from functions.core.records import Pool
from functions.lifecycle import pool_claims as claims
from functions.store import instances, pools, runs
from functions.workflow import provision
from local.context import LambdaContext
from local.gateway import to_event
from tests.functions.provision_helpers import OWNER, api  # noqa: F401 - the fixture
from tests.records import make_instance

HOUR = 3_600_000
MAX_DURATION = 600_000


@pytest.fixture
def idle(api, monkeypatch):
    """A pool `cpu` of one t3.micro at $0.0104/h whose instance's agent is up and idle; the keeper's
    invocations, recorded."""
    asked = []
    monkeypatch.setattr(lambdas, "invoke_async", lambda name, payload: asked.append(payload))
    now = now_ms()
    pool = Pool(owner=OWNER, name="cpu", pool_id="p" + naming.new_id(12), spec="t3.micro", instance_type="t3.micro",
                arch="amd64", version="noble", region="us-east-1", spot=False, size=1, idle_timeout_ms=HOUR,
                max_age_ms=HOUR, created_ms=now, used_ms=now, price_usd_per_hour=0.0104)
    pools.create(pool)
    instances.create(make_instance("kidle00000000000", run_id=None, owner=OWNER, state="running", pool_id=pool.pool_id,
                                   pool_name="cpu", instance_id="i-idle", registered_ms=now, last_seen_ms=now,
                                   deadline_ms=now + HOUR))
    return asked


def post_run(key: str | None = None, **body) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    payload = json.dumps({"spec": "t3.micro", "command": "true", "max_duration_ms": MAX_DURATION, **body}).encode()
    res = api_handler(to_event("POST", "/v1/runs", headers, payload, OWNER), LambdaContext("api"))
    return res["statusCode"], res.get("headers") or {}, json.loads(res["body"])


def start_runs(instance_key: str = "kidle00000000000") -> list:
    return [e for e in instances.get(instance_key).events if e.type == "start_run"]


def test_the_create_claims_the_idle_instance_and_queues_its_command_in_the_same_request(idle):
    status, headers, body = post_run()
    run = runs.get(body["run"]["run_id"])
    assert status == 201 and body["run"]["status"] == "booting" and body["run"]["pool"] == "cpu"
    assert headers["X-Skyrepl-Changed"] == "idle:kidle00000000000"  # the embedded gateway releases its poll
    assert instances.get("kidle00000000000").run_id == run.run_id and run.instance_id == "i-idle"
    assert [e.data["run_id"] for e in start_runs()] == [run.run_id] and run.start_sent_ms
    # max-duration from the claim; the pool's price, with no lookup
    assert run.deadline_ms == run.launched_ms + MAX_DURATION and instances.get("kidle00000000000").deadline_ms == run.deadline_ms
    assert (run.price_usd_per_hour, run.price_source) == (0.0104, "on-demand")
    assert idle == []  # the replacement is Provision's to ask for


def test_provision_after_the_create_asks_for_a_replacement_and_sends_nothing_again(idle):
    run_id = post_run()[2]["run"]["run_id"]
    answer = provision.handler({"run_id": run_id})
    assert answer == {"instance_id": "i-idle", "instance_key": "kidle00000000000", "warm": True, "pool": "cpu"}
    assert len(start_runs()) == 1 and runs.get(run_id).status == "booting"  # not moved back to provisioning
    assert idle == [{"owner": OWNER, "name": "cpu"}] and pools.get(OWNER, "cpu").wanted_ms


def test_a_command_the_agent_has_taken_and_started_is_not_sent_again_by_provision(idle):
    run_id = post_run()[2]["run"]["run_id"]
    instances.update("kidle00000000000", events=())  # the agent has acknowledged it
    runs.advance(run_id, "running", started_ms=now_ms())
    provision.handler({"run_id": run_id})
    assert start_runs() == [] and runs.get(run_id).status == "running"


def test_a_claim_that_fails_at_create_is_left_to_provision(idle, monkeypatch):
    def failing(run, pool):
        raise AwsError("injected: the claim's write failed")
    monkeypatch.setattr(claims, "claim", failing)
    status, headers, body = post_run()
    assert status == 201 and body["run"]["status"] == "pending" and "X-Skyrepl-Changed" not in headers
    assert instances.get("kidle00000000000").run_id is None and start_runs() == []
    monkeypatch.undo()
    monkeypatch.setattr(lambdas, "invoke_async", lambda name, payload: idle.append(payload))
    assert provision.handler({"run_id": body["run"]["run_id"]})["warm"] is True
    assert [e.data["run_id"] for e in start_runs()] == [body["run"]["run_id"]] and idle


def test_no_command_goes_before_the_workflow_starts_and_a_replay_starts_both(idle, monkeypatch):
    started = stepfunctions.start

    def unavailable(run):
        raise AwsError("injected: StartExecution failed")
    monkeypatch.setattr(stepfunctions, "start", unavailable)
    status, _headers, body = post_run(key="k-1")
    assert status >= 500 and "error" in body  # the CLI retries with the same key
    assert instances.get("kidle00000000000").run_id is not None and start_runs() == []  # claimed, not started
    monkeypatch.setattr(stepfunctions, "start", started)
    status, _headers, body = post_run(key="k-1")
    assert status == 200 and body["run"]["status"] == "booting" and len(start_runs()) == 1
    assert instances.get("kidle00000000000").run_id == body["run"]["run_id"]


def test_a_run_with_no_pool_of_its_kind_is_created_pending_as_before(idle):
    status, headers, body = post_run(spec="c7g.large")
    assert status == 201 and body["run"]["status"] == "pending" and body["run"]["pool"] is None
    assert "X-Skyrepl-Changed" not in headers and instances.get("kidle00000000000").run_id is None
