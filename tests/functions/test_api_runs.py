"""POST/GET /v1/runs through the user API Lambda, in-process, against moto."""
import pytest

from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER, OWNER

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

BASE = {"spec": "t3.micro", "command": "echo hi"}


def test_create_answers_201_pending_and_starts_an_execution_named_after_the_run(plane):
    status, answer = plane.call("POST", "/v1/runs", {**BASE, "spot": True, "max_duration_ms": 60_000})
    run = answer["run"]
    assert status == 201 and run["status"] == "pending"
    assert (run["spec"], run["instance_type"], run["arch"], run["spot"], run["region"]) == (
        "t3.micro", "t3.micro", "amd64", True, "us-east-1")
    assert (run["exit_code"], run["started_at"], run["ended_at"], run["instance_id"]) == (None, None, None, None)
    assert [e["name"] for e in plane.executions()] == [run["run_id"]]


def test_the_run_record_is_the_callers_and_keeps_its_execution(plane):
    run_id = plane.create(spec="ubuntu:jammy:arm64")["run_id"]
    [stored] = plane.stored_runs()
    assert (stored.run_id, stored.owner, stored.instance_type, stored.version) == (run_id, OWNER, "t4g.micro", "jammy")
    assert stored.execution_arn == plane.executions()[0]["executionArn"]
    # max-duration counts from the launch request: no deadline before Provision sets one
    assert (stored.max_duration_ms, stored.deadline_ms) == (3_600_000, None)


@pytest.mark.parametrize("field, value, allowed", [
    ("provider", "gcp", "allowed: aws"),
    ("spec", "ubuntu:bionic:amd64", "ubuntu:<noble|jammy|focal>:<amd64|arm64>"),
    ("command", "", "non-empty shell command"),
    ("max_duration_ms", 604_800_001, "from 1000 to 604800000"),
    ("spot", "no", "allowed: true, false"),
    ("region", "mars-1", "allowed: e.g. us-east-1"),
    ("gpu", 1, "allowed: provider, spec, command, max_duration_ms, specs, spot, spot_policy, region, regions"),
])
def test_a_bad_field_answers_400_naming_it_and_creates_nothing(plane, field, value, allowed):
    status, answer = plane.call("POST", "/v1/runs", {**BASE, field: value})
    error = answer["error"]
    assert (status, error["code"], error["field"]) == (400, "invalid_request", field)
    assert error["message"].startswith(f"{field}: ") and allowed in error["message"]
    assert plane.stored_runs() == [] and plane.executions() == []


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]"])
def test_a_body_that_is_not_a_json_object_answers_400_body(plane, raw):
    status, answer = plane.call("POST", "/v1/runs", raw)
    assert (status, answer["error"]["field"]) == (400, "body")
    assert plane.stored_runs() == []


def test_a_request_without_an_iam_identity_answers_401(plane):
    status, answer = plane.call("POST", "/v1/runs", BASE, owner=None)
    assert (status, answer["error"]["code"]) == (401, "unauthorized")
    assert plane.stored_runs() == []


def test_get_answers_the_run(plane):
    run = plane.create()
    assert plane.call("GET", f"/v1/runs/{run['run_id']}") == (200, {"run": run})


def test_list_is_newest_first_and_pages_with_limit_and_cursor(plane):
    ids = [plane.create()["run_id"] for _ in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        status, answer = plane.call("GET", "/v1/runs?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200 and len(answer["runs"]) <= 2
        seen, cursor, pages = seen + [r["run_id"] for r in answer["runs"]], answer["next_cursor"], pages + 1
        if not cursor:
            break
    assert seen == ids[::-1] and pages == 3


def test_list_defaults_to_everything_up_to_fifty(plane):
    ids = [plane.create()["run_id"] for _ in range(3)]
    expected = [plane.call("GET", f"/v1/runs/{i}")[1]["run"] for i in ids[::-1]]
    assert plane.call("GET", "/v1/runs") == (200, {"runs": expected, "next_cursor": None})


@pytest.mark.parametrize("limit", ["0", "201", "ten"])
def test_a_bad_limit_answers_400_limit(plane, limit):
    status, answer = plane.call("GET", f"/v1/runs?limit={limit}")
    assert (status, answer["error"]["field"]) == (400, "limit")
    assert answer["error"]["message"].startswith("limit: ")


def test_another_owner_cannot_see_or_touch_the_run(plane):
    run_id = plane.create()["run_id"]
    for method, path in (("GET", f"/v1/runs/{run_id}"), ("GET", f"/v1/runs/{run_id}/logs"),
                         ("POST", f"/v1/runs/{run_id}/cancel")):
        status, answer = plane.call(method, path, owner=OTHER)
        assert (status, answer["error"]["code"]) == (404, "not_found"), path
    assert plane.call("GET", "/v1/runs", owner=OTHER) == (200, {"runs": [], "next_cursor": None})
    assert plane.stored_runs()[0].cancel_requested_ms is None


def test_an_unknown_run_answers_404_naming_run_id(plane):
    status, answer = plane.call("GET", "/v1/runs/rnope")
    assert (status, answer["error"]["field"]) == (404, "run_id")


@pytest.mark.parametrize("cursor", ["garbage", "bm90IGpzb24="])  # not base64; base64 of "not json"
def test_a_bad_cursor_answers_400_cursor(plane, cursor):
    plane.create()
    status, answer = plane.call("GET", f"/v1/runs?cursor={cursor}")
    assert (status, answer["error"]["field"]) == (400, "cursor")
    assert answer["error"]["message"].startswith("cursor: ")


@pytest.mark.parametrize("region", ["us-est-1", "us-east-1\n", "mars-north-1"])
def test_a_region_ec2_does_not_have_is_refused_listing_the_valid_ones_and_creates_nothing(plane, region):
    status, answer = plane.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "true", "region": region})
    assert (status, answer["error"]["field"]) == (400, "region")
    assert answer["error"]["message"].startswith("region:") and "us-east-1" in answer["error"]["message"]
    assert plane.stored_runs() == [] and plane.executions() == []


@pytest.mark.parametrize("body, field, says", [
    ({"command": "true", "specs": ["c7g.large", "t3.micro"]}, "specs", "t3.micro is amd64"),
    ({"command": "true", "specs": []}, "specs", "1 to 8"),
    ({**BASE, "specs": ["t3.small"]}, "specs", "not both"),
    ({**BASE, "regions": ["us-east-1", "us-east-1"]}, "regions", "listed twice"),
    ({**BASE, "regions": ["us-east-1", "xx-nowhere-9"]}, "regions", "is not an EC2 region of this partition"),
    ({**BASE, "region": "us-east-1", "regions": ["us-west-2"]}, "regions", "not both"),
    ({**BASE, "spot": True, "spot_policy": "auto"}, "spot_policy", "contradicts spot: true"),
    ({**BASE, "spot_policy": "cheap"}, "spot_policy", "auto"),
])
def test_bad_choices_answer_400_naming_the_field_and_create_nothing(plane, body, field, says):
    status, answer = plane.call("POST", "/v1/runs", body)
    assert (status, answer["error"]["field"]) == (400, field), answer
    assert answer["error"]["message"].startswith(f"{field}: ") and says in answer["error"]["message"]
    assert plane.stored_runs() == [] and plane.executions() == []


def test_choices_are_kept_in_order_spot_first_and_shown_with_no_attempts_yet(plane):
    status, answer = plane.call("POST", "/v1/runs", {"command": "true", "specs": ["c7g.large", "c6g.large"],
                                                     "regions": ["us-west-2", "us-east-1"], "spot_policy": "auto"})
    run = answer["run"]
    assert status == 201 and (run["region"], run["instance_type"], run["spot"], run["spot_policy"]) == (
        "us-west-2", "c7g.large", True, "auto")
    assert [(c["region"], c["instance_type"], c["market"]) for c in run["choices"]] == [
        (r, t, m) for m in ("spot", "on-demand") for r in ("us-west-2", "us-east-1") for t in ("c7g.large", "c6g.large")]
    assert run["attempts"] == []
