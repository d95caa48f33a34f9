"""moto's simple Lambda backend, patched to run our handlers in-process.

moto has no supported hook for this (toolchain-notes §3): `LambdaSimpleBackend.invoke` is
internal API, which is why moto is pinned exactly in requirements.txt. An exception in a handler
becomes a function error whose errorType is the exception's class name, as on AWS, so the state
machine's Retry/Catch see the same error names.
"""
import importlib
import json
import traceback

from moto.awslambda_simple.models import LambdaSimpleBackend

from functions.workflow.definition import TASK_HANDLERS
from local.context import LambdaContext

# function name (as created by local/deploy.py) -> "module.attribute"
HANDLERS = {**TASK_HANDLERS, "Sweeper": "functions.sweeper.handler.handler"}


def resolve(dotted: str):
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def call(function_name: str, payload: dict):
    """Run one handler; returns (result, error) where error is None or (type name, message)."""
    try:
        return resolve(HANDLERS[function_name])(payload, LambdaContext(function_name)), None
    except Exception as err:  # noqa: BLE001 - every failure is reported, like Lambda's runtime does
        return None, (type(err).__name__, str(err), traceback.format_exc())


def _invoke(self, function_name, qualifier, body, headers, response_headers):
    name = function_name.rsplit(":", 1)[-1]
    result, error = call(name, json.loads(body or "{}"))
    if error:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": error[0], "errorMessage": error[1]}).encode()
    return json.dumps(result).encode()


def install() -> None:
    LambdaSimpleBackend.invoke = _invoke
