"""/v1/snapshots: create (CreateImage of a running run's instance), list, get, delete."""
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import models, snapshots
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.post("/v1/snapshots", responses=answers(400, 404, 409, ok=201))
def create_snapshot(body: models.CreateSnapshot) -> Response[models.SnapshotAnswer]:
    return Response(201, content_types.APPLICATION_JSON,
                    snapshots.create(owner(router), body.model_dump(exclude_unset=True)))


@router.get("/v1/snapshots", responses=answers())
def list_snapshots() -> models.SnapshotList:
    return snapshots.list_owned(owner(router))


@router.get("/v1/snapshots/<snapshot_id>", responses=answers(400, 404))
def get_snapshot(snapshot_id: models.SnapshotId) -> models.SnapshotAnswer:
    return snapshots.get(owner(router), snapshot_id)


@router.delete("/v1/snapshots/<snapshot_id>", responses=answers(400, 404, 409))
def delete_snapshot(snapshot_id: models.SnapshotId) -> models.SnapshotDeleted:
    return snapshots.delete(owner(router), snapshot_id)
