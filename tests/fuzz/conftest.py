"""The fuzzer's stack (tests/fuzz/plane.py) and both APIs' documents as schemathesis loads them from it.

Generation is seeded (SKYREPL_FUZZ_SEED, else a new seed each run, printed with the totals): a failure
found once is found again with that seed."""
import os
import random

from dataclasses import dataclass

import pytest
import requests
import schemathesis
from _pytest.python import Function
from schemathesis.config import SchemathesisConfig

from tests.fuzz.plane import LIVE, Plane

# schemathesis 4.32.5's pytest plugin renames the test node through `_nodeid`, which pytest 9.2 no longer
# has (its ids are structured): read through to the id, and let the rename (a cosmetic) be dropped.
if not hasattr(Function, "_nodeid"):
    Function._nodeid = property(lambda node: node.nodeid, lambda node, _renamed: None)

SEED = int(os.environ.get("SKYREPL_FUZZ_SEED") or random.randrange(2 ** 32))
AIM = random.Random(SEED)  # which valid cases tests/fuzz/test_fuzz.aim points at the caller's own run
MAX_EXAMPLES = 4  # per operation and mode, after the coverage phase: 29 operations, keeping `make test` under 6 min on 2 cores (a new seed each run)
totals = {"requests": 0, "failures": 0}


@dataclass
class Caller:
    headers: dict  # changed in place when an agent is seeded again: the loaded schemas keep the same dict
    run_id: str = ""


def config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        # no database: a CI run's examples are not the next run's (the seed replays a failure)
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
        # The documents declare no links, and inferring them costs the time the other phases use well.
        "phases": {"stateful": {"enabled": False}},
    })


@pytest.fixture(scope="module")
def plane(tmp_path_factory):
    plane = Plane(tmp_path_factory.mktemp("fuzz-home")).up()
    try:
        yield plane
        plane.settle()
        assert plane.instances(LIVE) == [], "an instance the fuzzer's runs asked for is still there"
    finally:
        plane.down()


@pytest.fixture(scope="module")
def user(plane) -> Caller:
    """The stack's owner, with a run of theirs (it ends `error` at its launch) whose id fuzzed paths may name."""
    caller = Caller({"Authorization": f"Bearer {plane.state['token']}"})
    created = requests.post(plane.state["api_url"] + "/v1/runs", headers=caller.headers, timeout=10,
                            json={"spec": "t3.micro", "command": "true"})
    assert created.status_code == 201, created.text
    caller.run_id = created.json()["run"]["run_id"]
    plane.settle()
    return caller


@pytest.fixture(scope="module")
def agent(plane) -> Caller:
    """An instance's agent, of a running run; seeded again whenever a fuzzed report has ended that run."""
    run_id, token = plane.seed_agent()
    return Caller({"Authorization": f"Bearer {token}"}, run_id)


@pytest.fixture(scope="module")
def user_api(plane, user):
    return schemathesis.openapi.from_url(plane.state["api_url"] + "/v1/openapi.json", config=config(),
                                         headers=user.headers)


@pytest.fixture(scope="module")
def agent_api(plane, agent):
    return schemathesis.openapi.from_url(plane.state["api_url"] + "/v1/agent/openapi.json", config=config(),
                                         headers=agent.headers)


def pytest_terminal_summary(terminalreporter):
    if totals["requests"]:
        terminalreporter.write_line(f"fuzz: {totals['requests']} requests, {totals['failures']} failures "
                                    f"(SKYREPL_FUZZ_SEED={SEED})")
