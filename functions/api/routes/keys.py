"""/v1/keys/{region}: the region's SSH private key (PEM), which `repl ssh-config` writes to ~/.repl/keys/."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import keys
from functions.api.identity import owner

router = Router()


@router.get("/v1/keys/<region>")
def get_key(region: str):
    owner(router)  # any signed caller may SSH into this deployment's instances
    return keys.private_key(region)
