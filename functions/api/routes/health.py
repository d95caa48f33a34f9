"""/v1/health: answers a signed call, so `repl setup` can check URL and credentials together."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import health as service
from functions.api.identity import owner

router = Router()


@router.get("/v1/health")
def health():
    return service.health(owner(router))
