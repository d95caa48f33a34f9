"""The contract: both APIs' OpenAPI documents (served, complete, and what docs/protocol.md says), and
the input rules every route shares: whole JSON types, unknown fields and query parameters refused by
name, ids percent-decoded as API Gateway does, no 422 ever."""
import json
import re
from pathlib import Path

import jsonschema
import pytest

from functions.agent_api.handler import app as agent_app
from functions.api.handler import app as api_app
from tests.functions import api_helpers
from tests.functions.api_helpers import OWNER

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

PROTOCOL = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/v1/[^`]*)` \| ([^|]*) \|", re.MULTILINE)


def documented_rows() -> dict:
    """`METHOD /path` -> its "Body / query" cell, for every route row of protocol.md's tables."""
    return {f"{method} {path}": cell for method, path, cell in ROW.findall(PROTOCOL)}


def operations(document: dict) -> dict:
    return {f"{method.upper()} {path}": operation for path, item in document["paths"].items()
            for method, operation in item.items()}


@pytest.fixture
def user_document(plane):
    status, document = plane.call("GET", "/v1/openapi.json")
    assert status == 200
    return document


@pytest.fixture
def agent_document(plane):
    agent = plane.agent()
    status, text = agent.call("GET", "/v1/agent/openapi.json")
    assert status == 200
    return json.loads(text)


def test_each_api_serves_an_openapi_31_document_of_every_route(user_document, agent_document):
    for app, document in ((api_app, user_document), (agent_app, agent_document)):
        assert document["openapi"].startswith("3.1")
        served = operations(document)
        assert served, "no paths: a route module failed to load"
        assert set(served) == {f"{m} {p}" for m, p in _routes(app)}
        for label, operation in served.items():
            responses = operation["responses"]
            assert "422" not in responses, label  # Powertools' own; these APIs answer 400
            assert responses["500"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorAnswer"}, label


def _routes(app) -> set:
    found = set()
    for route in (*app._static_routes, *app._dynamic_routes):
        found.add((route.method, re.sub(r"<(\w+)>", r"{\1}", route.path)))
    return found


def test_protocol_md_names_every_route_and_query_parameter_the_documents_have(user_document, agent_document):
    rows = documented_rows()
    served = {**operations(user_document), **operations(agent_document)}
    assert set(rows) == set(served), "protocol.md's route tables and the OpenAPI documents differ"
    for label, operation in served.items():
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert f"{parameter['name']}=" in rows[label], f"{label}: protocol.md does not name ?{parameter['name']}"


def test_the_user_document_needs_a_signed_call_and_the_agent_document_a_token(plane):
    assert plane.call("GET", "/v1/openapi.json", owner=None)[0] == 401
    assert plane.agent().call("GET", "/v1/agent/openapi.json", auth="Bearer k.nope")[0] == 401


@pytest.mark.parametrize("path, name, allowed", [("/v1/runs?limt=5", "limt", "allowed: cursor, limit"),
                                                 ("/v1/health?verbose=1", "verbose", "allowed: none")])
def test_an_unknown_query_parameter_is_refused_by_its_name(plane, path, name, allowed):
    status, answer = plane.call("GET", path)
    assert (status, answer["error"]["field"]) == (400, name)
    assert answer["error"]["message"] == f"{name}: unknown query parameter; {allowed}"


def test_a_follower_may_say_how_long_it_waits(plane):
    run = plane.create()
    assert plane.call("GET", f"/v1/runs/{run['run_id']}/logs?after=0&wait=20&status=pending")[0] == 200
    status, answer = plane.call("GET", f"/v1/runs/{run['run_id']}/logs?wait=forever")
    assert (status, answer["error"]["field"]) == (400, "wait")


def test_an_integer_may_be_written_with_a_zero_fraction_as_json_schema_allows(plane):
    run = plane.create(max_duration_ms=60000.0)
    assert run["max_duration_ms"] == 60000 and isinstance(run["max_duration_ms"], int)
    status, answer = plane.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "x", "max_duration_ms": 60000.5})
    assert (status, answer["error"]["field"]) == (400, "max_duration_ms")


@pytest.mark.parametrize("raw", [b'{"spec": "t3.micro", "command": "x", "max_duration_ms": NaN}',
                                 b'{"spec": "t3.micro", "command": "x", "max_duration_ms": Infinity}'])
def test_nan_and_infinity_are_not_json(plane, raw):
    status, answer = plane.call("POST", "/v1/runs", raw)
    assert (status, answer["error"]["field"]) == (400, "body")
    assert plane.stored_runs() == []


@pytest.mark.parametrize("body, field", [({"spec": "t3.micro", "command": "x", "spot": "true"}, "spot"),
                                         ({"spec": "t3.micro", "command": "x", "max_duration_ms": "60000"},
                                          "max_duration_ms"),
                                         ({"spec": "t3.micro", "command": "x", "comand": "y"}, "comand"),
                                         ({"spec": "t3.micro"}, "command"),
                                         ([1, 2], "body")])
def test_json_types_are_taken_as_they_are_and_the_field_is_named_first(plane, body, field):
    status, answer = plane.call("POST", "/v1/runs", body)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "invalid_request", field)
    assert answer["error"]["message"].startswith(f"{field}: ")
    assert plane.stored_runs() == []


def test_a_path_is_percent_decoded_as_api_gateway_does(plane):
    run_id = plane.create()["run_id"]
    encoded = "".join(f"%{ord(c):02X}" for c in run_id)
    status, answer = plane.call("GET", f"/v1/runs/{encoded}")
    assert (status, answer["run"]["run_id"]) == (200, run_id)


@pytest.mark.parametrize("path, field", [("/v1/runs/%0Bx%C2%85", "run_id"), ("/v1/runs/a%22b/logs", "run_id"),
                                         ("/v1/snapshots/%C2%84", "snapshot_id")])
def test_an_id_no_route_could_take_is_not_found_by_its_name(plane, path, field):
    status, answer = plane.call("GET", path)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (404, "not_found", field)
    assert answer["error"]["message"].startswith(f"{field}: ")


def test_an_answer_its_model_refuses_is_a_500_that_says_so_not_a_drift(plane, monkeypatch):
    from functions.api import health
    monkeypatch.setattr(health, "health", lambda caller: {"status": "ok", "caller": caller})  # fields missing
    status, answer = plane.call("GET", "/v1/health")
    assert (status, answer["error"]["code"]) == (500, "internal")
    assert OWNER not in json.dumps(answer)


@pytest.mark.parametrize("schema, rest", [("CreateRun", {"command": "x"}), ("CreatePool", {"name": "p1", "size": 1})])
def test_a_launch_needs_a_spec_or_a_snapshot_in_the_published_schema_as_in_the_api(user_document, schema, rest):
    # The document is what clients and the fuzzer trust: a null is no more a snapshot than an absent field.
    document = {**user_document["components"]["schemas"][schema], "components": user_document["components"]}
    jsonschema.validate({**rest, "spec": "t3.micro"}, document)
    jsonschema.validate({**rest, "snapshot": "ami-0123456789abcdef0"}, document)
    for missing in ({}, {"snapshot": None}, {"spec": None}, {"spec": None, "snapshot": None}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**rest, **missing}, document)
