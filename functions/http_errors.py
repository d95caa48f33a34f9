"""Typed domain errors to HTTP, in one place, for both resolvers."""
import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from functions.core.errors import Conflict, DomainError, Forbidden, Gone, Invalid, NotFound, Unauthorized

STATUS = {Invalid: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, Gone: 410}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body={"error": body})


def install(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(DomainError)
    def _domain(err: DomainError):
        return error_response(STATUS.get(type(err), 500), err.code, err.message, err.field)

    @app.not_found
    def _not_found(_err):
        path = app.current_event.path
        return error_response(404, "not_found", f"path: no route {app.current_event.http_method} {path}")


def json_body(event) -> object:
    """The request body as JSON, or a 400 that says so (Powertools' json_body would answer 500)."""
    try:
        return json.loads(event.body or "null")
    except ValueError:
        raise Invalid("body: not valid JSON", field="body") from None
