"""/v1/agent/*: each route authenticates the instance token, then calls one service function."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header

from functions.agent_api import artifacts, code, models, service
from functions.agent_api.auth import Spent, authenticate, boot, for_own_run
from functions.http import Hold, agent_key, answer, idle_key, run_key
from functions.http_errors import answers

router = Router()
LastEventId = Header(alias="Last-Event-ID", pattern=r"^[0-9]{1,15}$", description="the highest event id handled")
# OpenAPI 3.1 reads an event stream's schema as each event's (as parsed: `event` is "message" if not named)
SSE_EVENT = {"type": "object", "required": ["event", "data"], "properties": {
    "event": {"enum": ["state", "start_run", "cancel_run", "ssh_keys"]},
    "data": {"type": "string", "description": "JSON"},
    "id": {"type": "string", "pattern": "^[0-9]+$"}, "retry": {"type": "string", "pattern": "^[0-9]+$"}}}


@router.get("/v1/agent/code", responses=answers(410, media="text/plain", description="base64 of agent.zip"))
def get_code() -> Response[str]:
    instance = boot(router.current_event)  # the bootstrap fetches it with the boot token, before the agent exists
    service.booted(instance)
    return Response(200, "text/plain", code.agent_zip_base64())


@router.post("/v1/agent/register", responses=answers(400, 410))
def register(body: models.Registration) -> Response[models.Registered]:
    try:
        instance = boot(router.current_event)
    except Spent as spent:
        service.registered_again(spent.instance)
        raise
    return answer(service.register(instance, body.model_dump(exclude_none=True)),
                  changed=(run_key(instance.run_id),) if instance.run_id else ())


@router.get("/v1/agent/events", responses=answers(400, 410, media="text/event-stream", schema=SSE_EVENT,
                                                  description="buffered SSE"))
def events(last_event_id: Annotated[str, LastEventId] = None, _hold: Hold = None) -> Response[str]:
    instance = authenticate(router.current_event)
    body, idle = service.events(instance, last_event_id)
    waits_on = agent_key(instance.run_id) if instance.run_id else idle_key(instance.instance_key)
    return answer(body, content_type="text/event-stream", wait=waits_on if idle else None,
                  headers={"Cache-Control": "no-cache"})


@router.get("/v1/agent/env", responses=answers(410))
def env() -> Response[models.RunEnvironment]:
    """The run's `--env` values, for the agent to give the command; never in an event or a record."""
    instance = authenticate(router.current_event)
    return Response(200, "application/json", service.run_environment(instance),
                    headers={"Cache-Control": "no-store"})


@router.post("/v1/agent/logs", responses=answers(400, 403, 409, 410))
def logs(batch: models.LogBatch) -> Response[models.Stored | models.UploadUrl]:
    instance = for_own_run(router.current_event, batch.run_id)
    return answer(service.store_logs(instance, batch.model_dump(exclude_none=True)), changed=(run_key(instance.run_id),))


@router.post("/v1/agent/status", responses=answers(400, 403, 410))
def status(report: models.StatusReport) -> Response[models.Ok]:
    instance = for_own_run(router.current_event, report.run_id)
    service.report_status(instance, report.model_dump(exclude_none=True))
    return answer({"ok": True}, changed=(run_key(instance.run_id),))


@router.post("/v1/agent/artifacts", responses=answers(400, 403, 410))
def artifact_uploads(offer: models.ArtifactOffer) -> models.Uploads:
    instance = for_own_run(router.current_event, offer.run_id)
    return artifacts.uploads(instance, offer.model_dump())
