"""Errors to HTTP, in this one place, for both APIs: every error of functions/core/errors.py answers
its own status, code and message; so does input the routes' models refuse (a 400 whose message starts
with the field's name, not Powertools' 422); anything else (a bug, an answer its own model refuses) a
500 that says so, never the bare 502 API Gateway gives when a Lambda fails. The OpenAPI document
(openapi_document) documents these answers, and only these."""
import json
import re

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError, ResponseValidationError
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from functions.aws.errors import translate
from functions.core.errors import Invalid, MethodNotAllowed, NotFound, SkyReplError
from functions.observability import logger

JSON = content_types.APPLICATION_JSON
DESCRIPTIONS = {400: "Bad input: `field` names it, and the message starts with its name and says what is allowed",
                401: "No valid credentials", 403: "Not this caller's to do, or over a limit of this deployment (the message says which)",
                404: "Not found, or another owner's", 409: "The state does not allow it (the message says why)",
                410: "The instance has been terminated",
                429: "A limit of this deployment (active runs): the message names it; a run ending makes room",
                500: "A bug (the message gives the request id), or an action the control plane's own role lacks",
                502: "AWS refused or failed", 503: "AWS capacity, quota or throttling: try again"}
ANY_ROUTE = (401, 500, 502, 503)


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None  # the one input field at fault (absent if none): the message starts with it


class ErrorAnswer(BaseModel):
    error: ErrorDetail


def error_body(err: SkyReplError) -> dict:
    body = {"code": err.code, "message": err.message}
    if err.field:
        body["field"] = err.field
    return {"error": body}


def error_response(err: SkyReplError) -> Response:
    headers = {"Allow": ", ".join(err.allowed)} if isinstance(err, MethodNotAllowed) else None
    return Response(status_code=err.status, content_type=JSON, body=error_body(err), headers=headers)


def answers(*errors: int, ok: int = 200, also: tuple = (), media: str = JSON, schema: dict | None = None,
            description: str = "OK") -> dict:
    """A route's OpenAPI responses: its own success(es), the errors it may answer, and those any may.
    A success that is not JSON is a string, unless `schema` says more (an event stream: each event's)."""
    success = {"description": description}
    if media != JSON:
        success["content"] = {media: {"schema": schema or {"type": "string"}}}
    documented = {code: dict(success) for code in (ok, *also)}
    for code in sorted({*errors, *ANY_ROUTE}):
        documented[code] = {"description": DESCRIPTIONS[code], "content": {JSON: {"model": ErrorAnswer}}}
    return documented


def resolver() -> APIGatewayHttpResolver:
    """An HTTP API resolver whose routes' models validate what comes in and goes out, erring as ours."""
    app = APIGatewayHttpResolver(enable_validation=True, response_validation_error_http_code=500,
                                 json_body_deserializer=_json)
    app._request_validation_middleware = _Strict()  # Powertools 3.37's (pinned): it reads the body first
    install(app)
    return app


class _Strict(OpenAPIRequestValidationMiddleware):
    """Powertools' validation, stricter: a query parameter the route does not have is refused by its
    name (a `?limt=5` would otherwise be ignored without a word), and the body is read as JSON,
    nothing else (Powertools would read forms and multipart too, and a multipart body without a
    boundary would fail it with a ValueError: a 500)."""

    def handler(self, app, next_middleware):
        route = app.context["_route"]
        known = sorted(p.alias for p in route.dependant.query_params)
        unknown = sorted(set(app.current_event.query_string_parameters or {}) - set(known))
        # (not on the catch-all route Powertools makes for a path or method it has not: that is a 404 or 405)
        if unknown and route.rule.pattern != _CATCH_ALL:
            name = unknown[0][:60]
            raise Invalid(f"{name}: unknown query parameter; allowed: {', '.join(known) or 'none'}", field=name)
        return super().handler(app, next_middleware)

    def _get_body(self, app):
        kind = app.current_event.headers.get("content-type", "").strip().lower()
        if kind and not kind.startswith(JSON):
            raise Invalid(f"Content-Type: {kind[:60]!r} is not JSON; allowed: {JSON}", field="Content-Type")
        try:
            return super()._get_body(app)
        except UnicodeDecodeError:  # a body API Gateway had to base64: not text at all
            raise Invalid("body: not UTF-8 text; allowed: a JSON object", field="body") from None


_CATCH_ALL = ApiGatewayResolver._compile_regex(r".*").pattern


def _json(text: str):
    try:
        return json.loads(text, parse_constant=_not_json, parse_float=_number)
    except (ValueError, RecursionError):  # RecursionError: brackets nested deeper than a request needs
        raise Invalid("body: not valid JSON (or nested too deep)", field="body") from None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")  # Python's json reads NaN and Infinity; JSON has neither


def _number(text: str):
    """A number with a zero fraction is an integer, as JSON Schema has it (`1261.0` is a valid size)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def install(app: ApiGatewayResolver) -> None:
    @app.exception_handler(SkyReplError)
    def _expected(err: SkyReplError):
        return error_response(err)

    @app.exception_handler(RequestValidationError)
    def _refused(err: RequestValidationError):
        return error_response(invalid(err.errors()))

    @app.exception_handler(ResponseValidationError)
    def _misanswered(err: ResponseValidationError):  # the route's answer is not what its model says: a bug
        logger.error("answer refused by its model", extra={"errors": [(e["loc"], e["type"]) for e in err.errors()]})
        return error_response(_internal(app))

    @app.exception_handler(ClientError)
    def _aws(err: ClientError):  # a call made outside aws_call: still AWS's answer, mapped as one
        operation = getattr(err, "operation_name", "an AWS call")
        return error_response(translate(err, operation))

    @app.exception_handler(BotoCoreError)
    def _aws_unreachable(err: BotoCoreError):
        logger.exception("AWS unreachable")
        return error_response(SkyReplError(f"aws: the control plane could not reach AWS ({type(err).__name__}); "
                                           "try again"))

    @app.not_found
    def _not_found(_err):
        event = app.current_event
        matches = _matching(app, event.path)
        methods = tuple(sorted({m for _, found in matches for m in found}))
        for params, found in matches:
            if event.http_method in found and params:
                # A route's path, with an id holding characters no route's segment takes (Powertools' take
                # only URI-safe ones): no such thing exists, as for any unknown id.
                name, value = next(iter(params.items()))
                return error_response(NotFound(f"{name}: {value[:40]!r} not found", field=name))
        if methods:
            return error_response(MethodNotAllowed(f"method: {event.http_method} is not one of {event.path}'s; "
                                                   f"allowed: {', '.join(methods)}", methods))
        return error_response(NotFound(f"path: no route {event.http_method} {event.path}", field="path"))

    @app.exception_handler(Exception)
    def _bug(err: Exception):
        logger.exception("unexpected error")
        return error_response(_internal(app))


def _internal(app: ApiGatewayResolver) -> SkyReplError:
    request_id = app.lambda_context.aws_request_id if app.lambda_context else "?"
    return SkyReplError(f"internal: the control plane failed unexpectedly; the request id is {request_id}")


def _matching(app: ApiGatewayResolver, path: str) -> list[tuple[dict, set]]:
    """The API's routes this path is (each <param> one segment): for each, its params' values and methods.
    Read from the registered routes, not the OpenAPI document, whose generation a cold 404 need not pay."""
    by_rule: dict = {}
    for route in app._static_routes + app._dynamic_routes:  # Powertools 3.37's (pinned)
        by_rule.setdefault(route.path, set()).add(route.method)
    found = []
    for rule, methods in by_rule.items():
        parts = re.split(r"<(\w+)>", rule)  # literal, param name, literal, ...
        match = re.fullmatch("".join(f"(?P<{p}>[^/]+)" if i % 2 else re.escape(p) for i, p in enumerate(parts)), path)
        if match:
            found.append((match.groupdict(), methods))
    return found


_WHOLE_BODY = {"missing", "model_attributes_type", "model_type", "dict_type"}


def invalid(errors) -> Invalid:
    """The first error the models found, as ours: `field: [where in it: ]what is wrong[; allowed: what]`."""
    error = errors[0]
    where, *path = error["loc"]  # body | query | path | header, then the field, then where in it
    ctx = error.get("ctx") or {}
    if "field" in ctx:  # an unknown field, named by the model (functions/http.Body)
        path = [*path, ctx["field"]]
    if not path:
        return Invalid("body: must be a JSON object", field="body")
    field = _header_name(str(path[0])) if where == "header" else str(path[0])
    inside = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:]).lstrip(".")
    return Invalid(f"{field}: {inside + ': ' if inside else ''}{_what(error, ctx)}", field=field)


def _what(error: dict, ctx: dict) -> str:
    if "field" in ctx or error["type"] == "missing":
        return error["msg"] if "field" in ctx else "required"
    if error["type"] in _WHOLE_BODY:
        return "must be a JSON object"
    if "allowed" in ctx:  # functions/http.Allowed: the field says what it allows
        return f"{_shown(error.get('input'))} is not valid; allowed: {ctx['allowed']}"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]} (got {_shown(error.get('input'))})"


def _shown(value) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "...")
    return {dict: "an object", list: "a list"}.get(type(value)) or json.dumps(value)[:40]


def _header_name(lowered: str) -> str:
    """Powertools lowers header names: `last-event-id` is `Last-Event-ID` again, as the protocol spells it."""
    return "-".join(part.upper() if part == "id" else part.capitalize() for part in lowered.split("-"))


def openapi_document(app: ApiGatewayResolver, **info) -> dict:
    """The resolver's OpenAPI document, with the answers the API gives: Powertools adds its own 422 and
    500 to every route, which these APIs never answer (their 400 and 500 are ErrorAnswer)."""
    document = json.loads(app.get_openapi_json_schema(**info))
    for item in document["paths"].values():
        for operation in item.values():
            operation["responses"].pop("422", None)
            operation["responses"]["500"] = {"description": DESCRIPTIONS[500],
                                             "content": {JSON: {"schema": {"$ref": "#/components/schemas/ErrorAnswer"}}}}
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        document["components"]["schemas"].pop(name, None)
    return document
