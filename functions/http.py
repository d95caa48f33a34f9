"""What both APIs share on the wire beyond errors (functions/http_errors.py): the base of their models
(functions/api/models.py, functions/agent_api/models.py), and answers beyond a plain JSON body.

An answer may say which run it changed, and what a caller that may wait could wait on (`?wait=SECONDS`).
The embedded gateway holds such a caller until that changes (local/changes.py); API Gateway ignores the
headers, and the caller polls at the suggested interval."""
from dataclasses import dataclass
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError, core_schema

VERSION = "0.1.0"  # of both APIs: GET /v1/health says it, and each OpenAPI document
# The administrators' routes live under this path, so that IAM alone decides who may call them: the
# users' policy denies execute-api:Invoke on it (README, Security).
ADMIN = "/v1/admin"
CHANGED, WAIT = "X-Skyrepl-Changed", "X-Skyrepl-Wait"
# The models' own errors; http_errors words them from their context: `field`, `allowed`
UNKNOWN_FIELD, NOT_ALLOWED = "unknown_field", "not_allowed"

# `?wait=SECONDS` on the routes that may wait: the gateway's to read, not the function's (which only says,
# in its answer, what the wait is on)
Hold = Annotated[str, Query(alias="wait", pattern=r"^[0-9]{1,3}(\.[0-9]{1,3})?$", description=(
    "seconds an answer with nothing new may be held until there is (the embedded gateway holds it; "
    "API Gateway answers at once, and the caller polls at the suggested interval)"))]

Time = Annotated[str, Field(json_schema_extra={"format": "date-time"}, description="UTC, ISO 8601, milliseconds")]


@dataclass(frozen=True)
class Allowed:
    """What a body field allows, in words: its OpenAPI description, and the end of the 400 refusing a value
    (`field: 'x' is not valid; allowed: <this>`) instead of pydantic's own message (a quoted regex...)."""

    text: str

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_wrap_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler):
        return {**handler(schema), "description": self.text}  # beside a $ref too (OpenAPI 3.1 allows it)

    def _check(self, value, handler):
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError(NOT_ALLOWED, "not valid; allowed: {allowed}", {"allowed": self.text}) from None


class Body(BaseModel):
    """A request body: JSON's own types only (strict: "true" is not true, nor 1.0 an integer), and an
    unknown field refused by its name, with the fields allowed."""

    model_config = ConfigDict(strict=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data):
        unknown = sorted(set(data) - set(cls.model_fields)) if isinstance(data, dict) else []
        if unknown:
            raise PydanticCustomError(UNKNOWN_FIELD, "unknown field; allowed: {allowed}",
                                      {"field": unknown[0], "allowed": ", ".join(cls.model_fields)})
        return data


class Answer(BaseModel):
    """An answer, field for field as the views make it: a field one has and the other lacks is a 500
    (caught by the tests and the fuzzer), never a silent drift of the contract."""

    model_config = ConfigDict(strict=True, extra="forbid")


def run_key(run_id: str) -> str:
    """What the run's followers wait on: its logs and its status."""
    return f"run:{run_id}"


def agent_key(run_id: str) -> str:
    """What the run's agent waits on: a command or a cancel for it."""
    return f"agent:{run_id}"


def idle_key(instance_key: str) -> str:
    """What an idle pool instance's agent waits on: its claim (Provision answers with the instance)."""
    return f"idle:{instance_key}"


def answer(body, status: int = 200, content_type: str = content_types.APPLICATION_JSON, changed: tuple = (),
           wait: str | None = None, headers: dict | None = None) -> Response:
    extra = dict(headers or {})
    if changed:
        extra[CHANGED] = ", ".join(changed)
    if wait:
        extra[WAIT] = wait
    return Response(status, content_type, body, headers=extra or None)
