"""/v1/runs/{run_id}/ssh-keys: the caller's own public keys for one of their running runs' instance."""
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import models, ssh_keys
from functions.api.identity import owner
from functions.http import agent_key, answer
from functions.http_errors import answers

router = Router()


@router.post("/v1/runs/<run_id>/ssh-keys", responses=answers(400, 404, 409, ok=201, also=(200,), description=(
    "201: the key, new; 200: the same key again, its expiry renewed")))
def add_ssh_key(run_id: models.RunId, body: models.NewSshKey) -> Response[models.SshKeyView]:
    key, new = ssh_keys.add_key(owner(router), run_id, body.public_key)
    # the agent's held events call is answered at once, with the ssh_keys event
    return answer(key, status=201 if new else 200, changed=(agent_key(run_id),))


@router.get("/v1/runs/<run_id>/ssh-keys", responses=answers(400, 404))
def list_ssh_keys(run_id: models.RunId) -> models.SshKeyList:
    return ssh_keys.list_keys(owner(router), run_id)
