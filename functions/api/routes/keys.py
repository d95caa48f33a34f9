"""/v1/admin/keys/{region}: the region's SSH private key (PEM), for administrators: `repl ssh --region-key`.

Its path is under /v1/admin/ so that IAM decides who may call it (`execute-api:Invoke` on
`.../v1/admin/*`, README "Security"); users SSH in with a key of their own per run (routes/ssh_keys.py).
"""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import keys, models
from functions.api.identity import owner
from functions.http import ADMIN
from functions.http_errors import answers

router = Router()


@router.get(f"{ADMIN}/keys/<region>", responses=answers(400, 404, 409))
def get_key(region: models.RegionInPath) -> models.PrivateKey:
    owner(router)  # a signed call; IAM has already allowed this caller the admin path
    return keys.private_key(region)
