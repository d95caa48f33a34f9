"""One error root, mapped to HTTP in one place for both APIs: every family answers its own status and
a JSON message, and nothing the code raises becomes API Gateway's bare 502."""
import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from functions.agent_api import routes as agent_routes
from functions.agent_api.handler import lambda_handler as agent_api
from functions.api import health
from functions.api.handler import lambda_handler as user_api
from functions.core import errors
from local.context import LambdaContext
from local.gateway import to_event

OWNER = "arn:aws:iam::123456789012:user/alice"
FAMILIES = [
    (errors.Invalid("spec: bad; allowed: t3.micro", field="spec"), 400, "invalid_request"),
    (errors.Unauthorized("authorization: no"), 401, "unauthorized"),
    (errors.Forbidden("run_id: not yours", field="run_id"), 403, "forbidden"),
    (errors.NotFound("run_id: run r1 not found", field="run_id"), 404, "not_found"),
    (errors.Conflict("run_id: run r1 has already ended", field="run_id"), 409, "conflict"),
    (errors.Gone("instance: terminated"), 410, "gone"),
    (errors.CapacityError("EC2 has no capacity; try another type", aws_code="InsufficientInstanceCapacity"), 503,
     "capacity"),
    (errors.QuotaError("vCPU quota; request an increase", aws_code="VcpuLimitExceeded"), 503, "quota"),
    (errors.PermissionDenied("AWS refused ssm:GetParameter; check your IAM policy", aws_code="AccessDenied"), 500,
     "permission_denied"),
    (errors.ThrottlingError("AWS kept throttling; try again", aws_code="Throttling"), 503, "throttled"),
    (errors.ResourceStateConflict("EC2 cannot do it now", aws_code="IncorrectState"), 409, "conflict"),
    (errors.AwsError("Boom: it broke (ec2:RunInstances)", aws_code="Boom"), 502, "aws_error"),
    (errors.RunCancelled("cancelled by the user"), 500, "internal"),
]


def call(handler, path: str) -> tuple[int, dict]:
    headers = {"Authorization": "Bearer k1.secret"}
    res = handler(to_event("GET", path, headers, b"", OWNER), LambdaContext("test"))
    return res["statusCode"], json.loads(res["body"])


def raising(err):
    def route(*_args, **_kwargs):
        raise err
    return route


@pytest.mark.parametrize("err, status, code", FAMILIES, ids=[type(f[0]).__name__ for f in FAMILIES])
def test_the_user_api_answers_each_error_family_with_its_status_and_message(monkeypatch, err, status, code):
    monkeypatch.setattr(health, "health", raising(err))
    answer = call(user_api, "/v1/health")
    expected = {"code": code, "message": err.message, **({"field": err.field} if err.field else {})}
    assert answer == (status, {"error": expected})


@pytest.mark.parametrize("err, status, code", FAMILIES, ids=[type(f[0]).__name__ for f in FAMILIES])
def test_the_agent_api_answers_each_error_family_the_same_way(monkeypatch, err, status, code):
    monkeypatch.setattr(agent_routes, "boot", raising(err))
    status_seen, body = call(agent_api, "/v1/agent/code")
    assert (status_seen, body["error"]["code"], body["error"]["message"]) == (status, code, err.message)


def test_an_aws_error_raised_outside_aws_call_is_still_mapped_with_advice(monkeypatch):
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GetParameter")
    monkeypatch.setattr(health, "health", raising(denied))
    status, body = call(user_api, "/v1/health")
    assert status == 500 and body["error"]["code"] == "permission_denied"
    assert "GetParameter" in body["error"]["message"] and "aws sts get-caller-identity" in body["error"]["message"]


def test_aws_unreachable_is_a_500_that_says_so(monkeypatch):
    monkeypatch.setattr(health, "health", raising(EndpointConnectionError(endpoint_url="https://ssm")))
    status, body = call(user_api, "/v1/health")
    assert status == 500 and body["error"]["message"].startswith("aws: the control plane could not reach AWS")


def test_a_bug_is_a_json_500_with_the_request_id_not_a_bare_502(monkeypatch):
    monkeypatch.setattr(health, "health", raising(KeyError("oops")))
    status, body = call(user_api, "/v1/health")
    assert status == 500 and body["error"]["code"] == "internal"
    assert body["error"]["message"].startswith("internal: the control plane failed unexpectedly; the request id is ")


def test_an_unknown_path_names_the_path():
    assert call(user_api, "/v1/nope") == (404, {"error": {"code": "not_found", "field": "path",
                                                          "message": "path: no route GET /v1/nope"}})
