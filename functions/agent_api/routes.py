"""/v1/agent/*: each route authenticates the instance token, then calls one service function."""
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.agent_api import artifacts, code, service
from functions.agent_api.auth import authenticate, for_own_run
from functions.http import agent_key, answer, run_key
from functions.http_errors import json_body

router = Router()


@router.get("/v1/agent/code")
def get_code():
    authenticate(router.current_event)
    return Response(200, "text/plain", code.agent_zip_base64())


@router.post("/v1/agent/register")
def register():
    instance = authenticate(router.current_event)
    return answer(service.register(instance, json_body(router.current_event)), changed=(run_key(instance.run_id),))


@router.get("/v1/agent/events")
def events():
    instance = authenticate(router.current_event)
    body, idle = service.events(instance, router.current_event.headers.get("Last-Event-ID"))
    return answer(body, content_type="text/event-stream", wait=agent_key(instance.run_id) if idle else None,
                  headers={"Cache-Control": "no-cache"})


@router.get("/v1/agent/env")
def env():
    """The run's `--env` values, for the agent to give the command; never in an event or a record."""
    instance = authenticate(router.current_event)
    return Response(200, "application/json", service.run_environment(instance),
                    headers={"Cache-Control": "no-store"})


@router.post("/v1/agent/logs")
def logs():
    instance, body = for_own_run(router.current_event)
    return answer(service.store_logs(instance, body), changed=(run_key(instance.run_id),))


@router.post("/v1/agent/status")
def status():
    instance, body = for_own_run(router.current_event)
    service.report_status(instance, body)
    return answer({"ok": True}, changed=(run_key(instance.run_id),))


@router.post("/v1/agent/artifacts")
def artifact_uploads():
    return artifacts.uploads(*for_own_run(router.current_event))
