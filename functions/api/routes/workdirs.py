"""/v1/workdirs: where `repl run` uploads the archive of its working directory (presigned PUT)."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import models, workdirs
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.post("/v1/workdirs", responses=answers(400))
def upload(body: models.WorkdirOffer) -> models.WorkdirUpload:
    return workdirs.upload(owner(router), body.model_dump())
