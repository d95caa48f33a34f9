"""Schemathesis against both APIs of an embedded stack, from the OpenAPI documents it serves: every
answer is checked by every check that applies (no 5xx, status, content type and body as documented,
invalid input refused, auth enforced, 405 for a method a path has not...), and an answer 4xx must
leave the stack's state exactly as it was."""
import schemathesis
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.fuzz import conftest

# `positive_data_acceptance` (input the document allows is accepted) cannot apply where the API also
# refuses, with a 400 protocol.md describes, what JSON Schema cannot express: UTF-8 byte limits, the
# partition's regions, an archive not uploaded (POST /v1/runs); a cursor this listing never returned
# (GET /v1/runs); a batch's bytes in all (logs); which fields a status needs, a notice's time (status);
# paths' bytes, a path listed twice (artifacts); an SSH key's wire format (ssh-keys). Everywhere else it applies.
SEMANTIC_400 = {"POST /v1/runs", "GET /v1/runs", "POST /v1/agent/logs", "POST /v1/agent/status",
                "POST /v1/agent/artifacts", "POST /v1/runs/{run_id}/ssh-keys"}

user_api = schemathesis.pytest.from_fixture("user_api")
agent_api = schemathesis.pytest.from_fixture("agent_api")


@user_api.parametrize()
def test_the_user_api_answers_as_documented(case, plane, user):
    fuzz(case, plane, user)


@agent_api.parametrize()
def test_the_agent_api_answers_as_documented(case, plane, agent):
    fuzz(case, plane, agent)
    if case.path == "/v1/agent/status" and plane.has_ended(agent.run_id):  # a fuzzed exit report ended it
        agent.run_id, token = plane.seed_agent()
        agent.headers["Authorization"] = f"Bearer {token}"


def aim(case, run_id: str) -> None:
    """Half of the valid cases name the caller's own run (a random id is only ever 404 or 403), no
    snapshot and a new idempotency key, so that what lies behind those checks is fuzzed too."""
    if not (case.meta and case.meta.generation.mode.is_positive) or conftest.AIM.random() < 0.5:
        return
    if "run_id" in (case.path_parameters or {}):
        case.path_parameters["run_id"] = run_id
    if isinstance(case.body, dict) and "run_id" in case.body:
        case.body["run_id"] = run_id
    if isinstance(case.body, dict) and case.body.get("spec") and "snapshot" in case.body:
        del case.body["snapshot"]  # a random AMI id is only ever 404: launch from Canonical's image instead
    if "Idempotency-Key" in (case.headers or {}):  # a generated key is mostly one used before, for another body
        case.headers["Idempotency-Key"] = f"fuzz-{conftest.AIM.getrandbits(64):016x}"


def fuzz(case, plane, caller) -> None:
    aim(case, caller.run_id)
    headers = caller.headers
    before = plane.digest()
    response = case.call(headers=headers, timeout=10)
    conftest.totals["requests"] += 1
    try:
        label = f"{case.method.upper()} {case.path}"
        excluded = [positive_data_acceptance] if label in SEMANTIC_400 else []
        if any(value is None or value == [] for value in (case.query or {}).values()):
            excluded.append(negative_data_rejection)  # the wire carries no such entry: what arrives may be valid
        case.validate_response(response, headers=headers, excluded_checks=excluded)
        if 400 <= response.status_code < 500:
            assert plane.digest() == before, f"{label} answered {response.status_code} but changed the state"
    except BaseException:
        conftest.totals["failures"] += 1
        raise
    finally:
        if response.status_code < 400:
            plane.settle()  # an accepted run's workflow (which fails at its launch) has ended
