"""The embedded stack's Lambda runtime: a function name to our handler, run in-process.

moto's Step Functions interpreter invokes Lambda tasks through its simple backend, which
local/moto_internals.py points here. An exception in a handler becomes (its class name, its message),
which is what Lambda reports as errorType and errorMessage.
"""
import importlib
import time
import traceback

from functions.http import agent_key, idle_key, run_key
from functions.workflow.definition import TASK_HANDLERS
from local.changes import changes
from local.context import LambdaContext
from local.meter import meter

# function name (as created by local/deploy.py) -> "module.attribute"
HANDLERS = {**TASK_HANDLERS, "Sweeper": "functions.sweeper.handler.handler",
            "PoolKeeper": "functions.pools.handler.handler"}


def resolve(dotted: str):
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def call(function_name: str, payload: dict):
    """Run one handler; returns (result, error) where error is None or (type name, message, traceback).
    A workflow task changes its run: whoever waits on it (its follower, its agent) looks again."""
    began, result, error = time.monotonic(), None, None
    try:
        result = resolve(HANDLERS[function_name])(payload, LambdaContext(function_name))
    except Exception as err:  # noqa: BLE001 - every failure is reported, like Lambda's runtime does
        error = (type(err).__name__, str(err), traceback.format_exc())
    meter.add("lambda", function_name, seconds=time.monotonic() - began)
    if isinstance(payload.get("run_id"), str):
        changes.bump(run_key(payload["run_id"]), agent_key(payload["run_id"]))
    if isinstance(result, dict) and result.get("instance_key"):  # Provision's claim: its idle agent looks now
        changes.bump(idle_key(result["instance_key"]))
    return result, error
