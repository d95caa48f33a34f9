"""POST /v1/runs with an Idempotency-Key creates one run however often it is sent."""
import pytest

from functions.api import runs as service
from functions.store import runs
from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER, response_headers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

BASE = {"spec": "t3.micro", "command": "echo hi"}
KEY = {"Idempotency-Key": "0b6f1e52-5d1c-4f7e-9a51-3c1f6a3b9d10"}


def test_the_same_key_and_request_create_one_run_and_one_execution(plane):
    first = plane.respond("POST", "/v1/runs", BASE, headers=KEY)
    answers = [plane.call("POST", "/v1/runs", BASE, headers=KEY) for _ in range(3)]
    assert first["statusCode"] == 201 and "idempotent-replayed" not in response_headers(first)
    run_id = answers[0][1]["run"]["run_id"]
    assert [(status, answer["run"]["run_id"]) for status, answer in answers] == [(200, run_id)] * 3
    assert response_headers(plane.respond("POST", "/v1/runs", BASE, headers=KEY))["idempotent-replayed"] == "true"
    assert len(plane.stored_runs()) == 1 and [e["name"] for e in plane.executions()] == [run_id]


def test_the_header_name_is_case_insensitive(plane):
    plane.call("POST", "/v1/runs", BASE, headers=KEY)
    status, _ = plane.call("POST", "/v1/runs", BASE, headers={"idempotency-key": KEY["Idempotency-Key"]})
    assert status == 200 and len(plane.stored_runs()) == 1


def test_the_same_key_with_another_request_answers_409_naming_the_header(plane):
    plane.call("POST", "/v1/runs", BASE, headers=KEY)
    status, answer = plane.call("POST", "/v1/runs", {**BASE, "command": "echo other"}, headers=KEY)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (409, "conflict", "Idempotency-Key")
    assert len(plane.stored_runs()) == 1


def test_keys_are_per_owner_and_runs_without_a_key_are_always_new(plane):
    mine = plane.call("POST", "/v1/runs", BASE, headers=KEY)[1]["run"]["run_id"]
    theirs = plane.call("POST", "/v1/runs", BASE, owner=OTHER, headers=KEY)[1]["run"]["run_id"]
    plain = [plane.call("POST", "/v1/runs", BASE)[1]["run"]["run_id"] for _ in range(2)]
    assert len({mine, theirs, *plain}) == 4 and len(plane.stored_runs()) == 4


@pytest.mark.parametrize("bad", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_bad_key_answers_400_and_creates_nothing(plane, bad):
    status, answer = plane.call("POST", "/v1/runs", BASE, headers={"Idempotency-Key": bad})
    assert (status, answer["error"]["field"]) == (400, "Idempotency-Key")
    assert plane.stored_runs() == [] and plane.executions() == []


class LambdaTimedOut(BaseException):
    """The Lambda killed mid-request: no handler of its own can catch that (unlike an Exception, a 500)."""


def test_a_replay_after_a_crash_between_the_record_and_the_start_starts_the_execution_once(plane, monkeypatch):
    def crash(*_):
        raise LambdaTimedOut()
    monkeypatch.setattr(service.stepfunctions, "start", crash)
    with pytest.raises(LambdaTimedOut):  # the Lambda dies: API Gateway answers 502 and the client retries
        plane.call("POST", "/v1/runs", BASE, headers=KEY)
    [stored] = plane.stored_runs()
    assert stored.execution_arn is None and plane.executions() == []
    monkeypatch.undo()
    status, answer = plane.call("POST", "/v1/runs", BASE, headers=KEY)
    assert status == 200 and answer["run"]["run_id"] == stored.run_id
    assert [e["name"] for e in plane.executions()] == [stored.run_id]
    assert runs.get(stored.run_id).execution_arn == plane.executions()[0]["executionArn"]
