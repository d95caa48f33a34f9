"""The embedded stack's Lambda runtime: a function name to our handler, run in-process.

moto's Step Functions interpreter invokes Lambda tasks through its simple backend, which
local/moto_internals.py points here. An exception in a handler becomes (its class name, its message),
which is what Lambda reports as errorType and errorMessage.
"""
import importlib
import queue
import threading
import time
import traceback
from concurrent.futures import Future

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


class _Environments:
    """A function's warm execution environments: long-lived threads, one invocation at a time each, a new
    one started only when none is idle (Lambda scales so too). Lambda keeps an environment's boto3 clients
    and resources between invocations; the state machine calls each task from a thread of the moment, and
    a fresh thread made its DynamoDB resource again (functions/aws/clients.py: resources are per thread):
    a quarter of the workflow's CPU on the daemon's one GIL, in a profile of warm runs."""

    def __init__(self, name: str):
        self.name, self.jobs, self.lock, self.idle = name, queue.SimpleQueue(), threading.Lock(), 0

    def run(self, function, *args):
        done = Future()
        with self.lock:  # an idle environment is reserved for this job, else one more is started
            if self.idle:
                self.idle -= 1
            else:
                threading.Thread(target=self._serve, name=f"lambda-{self.name}", daemon=True).start()
        self.jobs.put((done, function, args))
        return done.result()

    def _serve(self) -> None:
        while True:
            done, function, args = self.jobs.get()
            try:
                done.set_result(function(*args))
            except BaseException as err:  # noqa: BLE001 - the caller's to see
                done.set_exception(err)
            with self.lock:
                self.idle += 1


_environments: dict[str, _Environments] = {}
_environments_lock = threading.Lock()


def call(function_name: str, payload: dict):
    """Run one handler in one of its function's environments; returns (result, error) where error is None
    or (type name, message, traceback). A workflow task changes its run: whoever waits on it (its
    follower, its agent) looks again."""
    with _environments_lock:
        environments = _environments.setdefault(function_name, _Environments(function_name))
    return environments.run(_call, function_name, payload)


def _call(function_name: str, payload: dict):
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
