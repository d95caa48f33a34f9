"""Answers of both APIs beyond a plain JSON body: which run they changed, and what a caller that may
wait could wait on (`?wait=SECONDS`). The embedded gateway holds such a caller until that changes
(local/changes.py); API Gateway ignores the headers, and the caller polls at the suggested interval."""
from aws_lambda_powertools.event_handler import Response, content_types

CHANGED, WAIT = "X-Skyrepl-Changed", "X-Skyrepl-Wait"


def run_key(run_id: str) -> str:
    """What the run's followers wait on: its logs and its status."""
    return f"run:{run_id}"


def agent_key(run_id: str) -> str:
    """What the run's agent waits on: a command or a cancel for it."""
    return f"agent:{run_id}"


def answer(body, status: int = 200, content_type: str = content_types.APPLICATION_JSON, changed: tuple = (),
           wait: str | None = None, headers: dict | None = None) -> Response:
    extra = dict(headers or {})
    if changed:
        extra[CHANGED] = ", ".join(changed)
    if wait:
        extra[WAIT] = wait
    return Response(status, content_type, body, headers=extra or None)
