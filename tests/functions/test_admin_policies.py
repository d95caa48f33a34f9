"""The README's two IAM policies, evaluated as IAM would against every route of the user API's OpenAPI
document: users may call every route but the administrators' (/v1/admin/...), administrators all."""
import json
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from functions.http import ADMIN
from tests.functions import api_helpers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
ACCOUNT_API = "arn:aws:execute-api:us-east-1:123456789012:abc123"  # what the README's example names


def policy(marker: str) -> dict:
    found = re.search(rf"<!-- {marker} -->\n```json\n(.*?)\n```", README, re.DOTALL)
    assert found, f"README has no {marker} block"
    return json.loads(found.group(1))


def allowed(document: dict, method: str, path: str) -> bool:
    """IAM's rule: an explicit Deny wins, else any Allow; `*` matches any characters, `/` included."""
    arn = f"{ACCOUNT_API}/$default/{method}/{path.lstrip('/')}"
    matching = [s["Effect"] for s in document["Statement"] if s["Action"] in ("execute-api:Invoke", "execute-api:*")
                and any(fnmatchcase(arn, r) for r in ([s["Resource"]] if isinstance(s["Resource"], str)
                                                       else s["Resource"]))]
    return "Deny" not in matching and "Allow" in matching


@pytest.fixture
def routes(plane) -> list:
    status, document = plane.call("GET", "/v1/openapi.json")
    assert status == 200
    found = [(method.upper(), re.sub(r"\{[^}]+\}", "x1", path)) for path, item in document["paths"].items()
             for method in item]
    assert any(path.startswith(ADMIN + "/") for _, path in found) and len(found) > 10
    return found


def test_users_may_call_every_route_but_the_administrators(routes):
    users = policy("users-policy")
    for method, path in routes:
        assert allowed(users, method, path) is not path.startswith(ADMIN + "/"), (method, path)


def test_administrators_may_call_every_route(routes):
    administrators = policy("administrators-policy")
    assert all(allowed(administrators, method, path) for method, path in routes)


def test_a_path_that_only_looks_like_an_admin_one_is_a_users():
    users = policy("users-policy")
    assert allowed(users, "GET", "/v1/runs/admin") and not allowed(users, "GET", "/v1/admin/orphans")
