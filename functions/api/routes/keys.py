"""/v1/keys/{region}: the region's SSH private key (PEM), which `repl ssh-config` writes to ~/.repl/keys/."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import keys, models
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.get("/v1/keys/<region>", responses=answers(400, 404, 409))
def get_key(region: models.RegionInPath) -> models.PrivateKey:
    owner(router)  # any signed caller may SSH into this deployment's instances
    return keys.private_key(region)
