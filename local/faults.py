"""Fault injection for the embedded stack: AWS errors moto cannot raise (capacity, quotas, denied
permissions), injected by a botocore `before-call` hook on the calls the control plane makes.

Tests write `~/.repl/local/faults.json`: `[{"call": "ec2:RunInstances", "code": "VcpuLimitExceeded",
"times": 1}]`; each matching call consumes one `times` and fails with that code. The hook is
registered with the one client factory (functions/aws/clients.py), so it reaches every client and
resource of every service (EC2, Step Functions, DynamoDB, SSM, S3...). A call is
"<endpoint prefix>:<operation>", e.g. `states:StartExecution`, `dynamodb:GetItem`.
"""
import json
import threading
from pathlib import Path

from functions.aws import clients

FILE_NAME = "faults.json"
_lock = threading.Lock()


class _Response:
    status_code = 400
    headers: dict = {}


def install(state_dir: Path):
    """Start reading the fault file; returns the unhook."""
    path = state_dir / FILE_NAME

    def before_call(model, **_kwargs):
        fault = _take(path, f"{model.service_model.endpoint_prefix}:{model.name}")
        if fault is None:
            return None
        message = fault.get("message", f"injected {fault['code']}")
        return _Response(), {"Error": {"Code": fault["code"], "Message": message},
                             "ResponseMetadata": {"HTTPStatusCode": 400}}

    return clients.hook("before-call", before_call)


def _take(path: Path, call: str) -> dict | None:
    with _lock:
        if not path.exists():
            return None
        faults = json.loads(path.read_text() or "[]")
        for fault in faults:
            if fault["call"] == call and fault.get("times", 1) > 0:
                fault["times"] = fault.get("times", 1) - 1
                path.write_text(json.dumps(faults))
                return fault
    return None
