"""Errors to HTTP, in this one place, for both APIs: every error of functions/core/errors.py answers
its own status, code and message; anything else (a bug) a 500 that says so, never the bare 502 API
Gateway gives when a Lambda fails."""
import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from botocore.exceptions import BotoCoreError, ClientError

from functions.aws.errors import translate
from functions.core.errors import Invalid, NotFound, SkyReplError
from functions.observability import logger


def error_body(err: SkyReplError) -> dict:
    body = {"code": err.code, "message": err.message}
    if err.field:
        body["field"] = err.field
    return {"error": body}


def error_response(err: SkyReplError) -> Response:
    return Response(status_code=err.status, content_type=content_types.APPLICATION_JSON, body=error_body(err))


def install(app: ApiGatewayResolver) -> None:
    @app.exception_handler(SkyReplError)
    def _expected(err: SkyReplError):
        return error_response(err)

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
        return error_response(NotFound(f"path: no route {event.http_method} {event.path}", field="path"))

    @app.exception_handler(Exception)
    def _bug(err: Exception):
        logger.exception("unexpected error")
        return error_response(SkyReplError("internal: the control plane failed unexpectedly; the request id is "
                                           f"{app.lambda_context.aws_request_id if app.lambda_context else '?'}"))


def json_body(event) -> object:
    """The request body as JSON, or a 400 that says so (Powertools' json_body would answer 500)."""
    try:
        return json.loads(event.body or "null")
    except (ValueError, RecursionError):  # RecursionError: brackets nested deeper than a request needs
        raise Invalid("body: not valid JSON (or nested too deep)", field="body") from None
