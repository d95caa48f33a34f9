"""/v1/runs: create, list, get, read logs, cancel."""
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import runs
from functions.api.identity import owner
from functions.api.views import run_view
from functions.http import agent_key, answer, run_key
from functions.http_errors import json_body

router = Router()


@router.post("/v1/runs")
def create_run():
    event = router.current_event
    run, replayed = runs.create_run(owner(router), json_body(event), event.headers.get("idempotency-key"))
    # A replay answers 200 with the run the first request created (and started): nothing new.
    return Response(200 if replayed else 201, content_types.APPLICATION_JSON, {"run": run_view(run)},
                    headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.get("/v1/runs")
def list_runs():
    params = router.current_event.query_string_parameters or {}
    return runs.list_runs(owner(router), params.get("limit"), params.get("cursor"))


@router.get("/v1/runs/<run_id>")
def get_run(run_id: str):
    return runs.get_run(owner(router), run_id)


@router.get("/v1/runs/<run_id>/logs")
def read_logs(run_id: str):
    event = router.current_event
    page, idle, noted = runs.read_logs(owner(router), run_id, event.get_query_string_value("after"),
                                       event.get_query_string_value("status"))
    return answer(page, wait=run_key(run_id) if idle else None, changed=(agent_key(run_id),) if noted else ())


@router.post("/v1/runs/<run_id>/cancel")
def cancel_run(run_id: str):
    return answer(runs.cancel_run(owner(router), run_id), status=202, changed=(run_key(run_id), agent_key(run_id)))
