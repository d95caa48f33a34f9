"""/v1/snapshots: create (CreateImage of a running run's instance), list, get, delete."""
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import snapshots
from functions.api.identity import owner
from functions.http_errors import json_body

router = Router()


@router.post("/v1/snapshots")
def create_snapshot():
    return Response(201, content_types.APPLICATION_JSON, snapshots.create(owner(router), json_body(router.current_event)))


@router.get("/v1/snapshots")
def list_snapshots():
    return snapshots.list_owned(owner(router))


@router.get("/v1/snapshots/<snapshot_id>")
def get_snapshot(snapshot_id: str):
    return snapshots.get(owner(router), snapshot_id)


@router.delete("/v1/snapshots/<snapshot_id>")
def delete_snapshot(snapshot_id: str):
    return snapshots.delete(owner(router), snapshot_id)
