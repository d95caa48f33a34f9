"""/v1/agent/*: each route authenticates the instance token, then calls one service function."""
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.agent_api import artifacts, code, service
from functions.agent_api.auth import authenticate, own_run
from functions.core.errors import Invalid
from functions.http_errors import json_body

router = Router()


@router.get("/v1/agent/code")
def get_code():
    authenticate(router.current_event)
    return Response(200, "text/plain", code.agent_zip_base64())


@router.post("/v1/agent/register")
def register():
    return service.register(authenticate(router.current_event), json_body(router.current_event))


@router.get("/v1/agent/events")
def events():
    instance = authenticate(router.current_event)
    last = router.current_event.headers.get("Last-Event-ID") or "0"
    if not last.isdigit():
        raise Invalid("Last-Event-ID: must be a non-negative integer", field="Last-Event-ID")
    body = service.events(instance, int(last))
    return Response(200, "text/event-stream", body, headers={"Cache-Control": "no-cache"})


@router.get("/v1/agent/env")
def env():
    """The run's `--env` values, for the agent to give the command; never in an event or a record."""
    instance = authenticate(router.current_event)
    return Response(200, "application/json", service.run_environment(instance),
                    headers={"Cache-Control": "no-store"})


@router.post("/v1/agent/logs")
def logs():
    service.store_logs(*_for_own_run())
    return {"ok": True}


@router.post("/v1/agent/status")
def status():
    service.report_status(*_for_own_run())
    return {"ok": True}


@router.post("/v1/agent/artifacts")
def artifact_uploads():
    return artifacts.uploads(*_for_own_run())


def _for_own_run() -> tuple[dict, dict]:
    """(the calling instance, the JSON object body), once its `run_id` is shown to be the instance's own."""
    instance, body = authenticate(router.current_event), json_body(router.current_event)
    if not isinstance(body, dict):
        raise Invalid("body: must be a JSON object", field="body")
    own_run(instance, body.get("run_id"))
    return instance, body
