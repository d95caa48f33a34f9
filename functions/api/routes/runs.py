"""/v1/runs: create, list, get, read logs, cancel."""
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import service
from functions.api.identity import owner
from functions.http_errors import json_body
from functions.store import runs

router = Router()


@router.post("/v1/runs")
def create_run():
    event = router.current_event
    run, replayed = service.create_run(owner(router), json_body(event), event.headers.get("idempotency-key"))
    # A replay answers 200 with the run the first request created (and started): nothing new.
    return Response(200 if replayed else 201, content_types.APPLICATION_JSON, {"run": runs.to_api(run)},
                    headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.get("/v1/runs")
def list_runs():
    params = router.current_event.query_string_parameters or {}
    return service.list_runs(owner(router), params.get("limit"), params.get("cursor"))


@router.get("/v1/runs/<run_id>")
def get_run(run_id: str):
    return {"run": runs.to_api(runs.get_owned(run_id, owner(router)))}


@router.get("/v1/runs/<run_id>/logs")
def read_logs(run_id: str):
    return service.read_logs(owner(router), run_id, router.current_event.get_query_string_value("after"))


@router.post("/v1/runs/<run_id>/cancel")
def cancel_run(run_id: str):
    run = service.cancel_run(owner(router), run_id)
    return Response(202, content_types.APPLICATION_JSON, {"run": runs.to_api(run)})
