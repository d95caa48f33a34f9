"""/v1/pools: warm pools (create, list, get, resize, delete); the keeper does the EC2 work."""
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import models, pools
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.post("/v1/pools", responses=answers(400, 403, 404, 409, ok=201))
def create_pool(body: models.CreatePool) -> Response[models.PoolAnswer]:
    return Response(201, content_types.APPLICATION_JSON, pools.create(owner(router), body.model_dump()))


@router.get("/v1/pools", responses=answers())
def list_pools() -> models.PoolList:
    return pools.list_owned(owner(router))


@router.get("/v1/pools/<name>", responses=answers(400, 404))
def get_pool(name: models.PoolNameInPath) -> models.PoolAnswer:
    return pools.get(owner(router), name)


@router.patch("/v1/pools/<name>", responses=answers(400, 403, 404, 409))
def resize_pool(name: models.PoolNameInPath, body: models.ResizePool) -> models.PoolAnswer:
    return pools.resize(owner(router), name, body.size)


@router.delete("/v1/pools/<name>", responses=answers(400, 404))
def delete_pool(name: models.PoolNameInPath) -> models.PoolAnswer:
    return pools.delete(owner(router), name)
