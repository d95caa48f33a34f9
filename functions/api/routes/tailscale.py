"""/v1/admin/tailscale: the Tailscale API key and tailnet that launches join instances to (README "With
Tailscale"); `repl setup` stores them. An administrators' route: IAM decides who may call it. No answer
holds the key."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import models, tailscale
from functions.api.identity import owner
from functions.http import ADMIN
from functions.http_errors import answers

router = Router()


@router.put(f"{ADMIN}/tailscale", responses=answers(400))
def store(body: models.StoreTailscale) -> models.TailscaleSettings:
    return tailscale.store(owner(router), body.api_key, body.tailnet)


@router.get(f"{ADMIN}/tailscale", responses=answers())
def show() -> models.TailscaleSettings:
    owner(router)
    return tailscale.show()


@router.delete(f"{ADMIN}/tailscale", responses=answers())
def remove() -> models.TailscaleSettings:
    return tailscale.remove(owner(router))
