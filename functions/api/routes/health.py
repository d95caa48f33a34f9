"""/v1/health: answers a signed call, so `repl setup` can check URL and credentials together."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.identity import owner
from functions.settings import settings

router = Router()
VERSION = "0.1.0"


@router.get("/v1/health")
def health():
    # caller: the identity the signed request proved (repl setup shows it); region: where startup() ran at deploy
    return {"status": "ok", "control_id": settings().control_id, "version": VERSION, "caller": owner(router),
            "region": settings().default_region}
