"""/v1/health: answers a signed call, so `repl setup` can check URL and credentials together."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import health as service
from functions.api import models
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.get("/v1/health", responses=answers())
def health() -> models.Health:
    return service.health(owner(router))
