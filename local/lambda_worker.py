"""`python -m local.lambda_worker functions.api.handler.lambda_handler`: one execution environment.

Reads one JSON line per request on stdin ({"event", "function"}), runs the handler, writes one JSON
line on the protocol stream ({"result"} or {"error"}). The handler's own output (Powertools' JSON
logs go to stdout) is sent to stderr, the daemon's log, so it can never corrupt an answer.
"""
import json
import os
import sys
import traceback
from pathlib import Path

from local import faults
from local.context import LambdaContext
from local.dispatch import resolve

STATE_DIR_VAR = "SKYREPL_LOCAL_STATE_DIR"  # the embedded stack's directory: its fault file reaches here too


def main(handler_path: str) -> int:
    protocol = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # print() and logging to stdout now reach stderr
    sys.stdout = sys.stderr
    if os.environ.get(STATE_DIR_VAR):
        faults.install(Path(os.environ[STATE_DIR_VAR]))
    handler = resolve(handler_path)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            answer = {"result": handler(request["event"], LambdaContext(request["function"]))}
        except Exception:  # noqa: BLE001 - a Lambda that raises: API Gateway answers 502
            answer = {"error": traceback.format_exc(limit=5)}
        protocol.write(json.dumps(answer).encode() + b"\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
