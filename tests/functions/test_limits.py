"""This deployment's limits on what one owner starts (set at deploy): each refuses at its limit, names
it, and creates nothing; a replay of a run created under the limit is still answered."""
import pytest

from functions.settings import settings
from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share


@pytest.fixture
def limited(plane, monkeypatch):
    monkeypatch.setenv("LIMIT_ACTIVE_RUNS", "2")
    monkeypatch.setenv("LIMIT_INSTANCE_TYPES", "t3.*, c7g.large")
    monkeypatch.setenv("LIMIT_MAX_DURATION_MS", "7200000")
    settings.cache_clear()
    yield plane
    settings.cache_clear()


@pytest.mark.parametrize("spec", ["t3.micro", "t3.2xlarge", "c7g.large", "ubuntu:noble:amd64"])
def test_an_allowed_instance_type_is_started(limited, spec):
    assert limited.create(spec=spec)["status"] == "pending"


@pytest.mark.parametrize("spec, instance_type", [("p5.48xlarge", "p5.48xlarge"), ("c7g.xlarge", "c7g.xlarge"),
                                                 ("ubuntu:noble:arm64", "t4g.micro")])
def test_an_instance_type_outside_the_patterns_is_refused_naming_them(limited, spec, instance_type):
    status, answer = limited.call("POST", "/v1/runs", {"spec": spec, "command": "x"})
    error = answer["error"]
    assert (status, error["code"], error["field"]) == (403, "limit_reached", "spec")
    assert error["message"].startswith(f"spec: instance type {instance_type} is not allowed")
    assert "allowed: t3.*, c7g.large" in error["message"]
    assert limited.stored_runs() == [] and limited.executions() == []


def test_a_max_duration_over_the_limit_is_refused_naming_it(limited):
    assert limited.create(max_duration_ms=7_200_000)["max_duration_ms"] == 7_200_000
    status, answer = limited.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "x", "max_duration_ms": 7_200_001})
    assert (status, answer["error"]["field"]) == (403, "max_duration_ms")
    assert answer["error"]["message"] == ("max_duration_ms: 7200001 is over this deployment's limit of 7200000 (2 h)")
    assert len(limited.stored_runs()) == 1


def test_active_runs_are_limited_per_owner_and_an_ended_run_makes_room(limited):
    first, _second = limited.create(), limited.create()
    status, answer = limited.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "x"})
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (429, "limit_reached", "runs")
    assert answer["error"]["message"].startswith("runs: 2 of yours are active, this deployment's limit of 2")
    assert limited.create(owner=OTHER)["status"] == "pending"  # another owner's count is theirs
    assert limited.call("POST", f"/v1/runs/{first['run_id']}/cancel")[0] == 202
    from functions.store import runs
    runs.finish(first["run_id"], "cancelled", None, "cancelled by the user", 1)
    assert limited.create()["status"] == "pending"
    assert len([r for r in limited.stored_runs() if r.owner != OTHER]) == 3


def test_a_replay_of_a_run_created_under_the_limit_is_answered_at_the_limit(limited):
    body, key = {"spec": "t3.micro", "command": "x"}, {"Idempotency-Key": "k-1"}
    assert limited.call("POST", "/v1/runs", body, headers=key)[0] == 201
    limited.create()
    status, answer = limited.call("POST", "/v1/runs", body, headers=key)
    assert status == 200 and answer["run"]["command"] == "x"

