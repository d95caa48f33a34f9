"""/v1/workdirs: where `repl run` uploads the archive of its working directory (presigned PUT)."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import workdirs
from functions.api.identity import owner
from functions.http_errors import json_body

router = Router()


@router.post("/v1/workdirs")
def upload():
    return workdirs.upload(owner(router), json_body(router.current_event))
