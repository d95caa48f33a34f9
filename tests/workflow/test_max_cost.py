"""`--max-cost`: the real launch-run workflow holds a run to its max cost through the one deadline
(the instance's tag, the agent's start_run, the workflow's timer), and ends it timed_out "max cost"."""
from pathlib import Path

import pytest

from functions.core import states
from functions.settings import PRICE_LIST_FILE
from tests.workflow.conftest import instance_of, reset_clients

SEEDED = str(Path(__file__).resolve().parents[2] / "local" / "prices.json")


@pytest.fixture
def priced(stack, monkeypatch):
    monkeypatch.setenv(PRICE_LIST_FILE, SEEDED)  # moto has no Price List API: the embedded stack's prices
    reset_clients()
    return stack


def test_the_agent_stopping_the_command_at_the_max_costs_deadline_ends_timed_out_max_cost(priced):
    # $0.0001 of a t3.micro at $0.0104/h: 34.6 s, well inside the 60 s max-duration
    run = priced.create_run(spec="t3.micro", max_cost_usd=0.0001, max_duration_ms=60_000)
    agent = priced.agent(run.run_id)
    agent.register()
    start = agent.wait_event(priced, "start_run")
    launched = priced.run(run.run_id)
    assert start["deadline_ms"] == launched.deadline_ms
    assert launched.deadline_ms - launched.launched_ms == pytest.approx(34_615, abs=2_000)
    agent.exited(None, timed_out=True)  # the agent kills the command at deadline_ms
    ended = priced.wait_end(run.run_id)
    assert (ended.status, ended.reason) == ("timed_out", "max cost (USD 0.0001 at $0.0104/h) reached")
    assert priced.live_instances() == [] and instance_of(ended).state == states.TERMINATED


def test_a_max_cost_the_price_allows_no_time_for_ends_the_run_at_once_and_terminates_its_instance(priced):
    # the least max cost ($0.00001) pays for 36 ms of a g5.xlarge: the deadline has passed by the workflow's
    # next step, no agent needed
    run = priced.create_run(spec="g5.xlarge", max_cost_usd=0.00001, max_duration_ms=60_000)
    ended = priced.wait_end(run.run_id)
    assert (ended.status, ended.reason) == ("timed_out", "max cost (USD 1e-05 at $1.006/h) reached")
    assert ended.instance_id and priced.live_instances() == []
    assert instance_of(ended).state == states.TERMINATED
