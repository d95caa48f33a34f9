"""/v1/orphans: instances of ours with no run record, as the sweeper found them; scan runs it now."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import models, orphans
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.get("/v1/orphans", responses=answers())
def list_orphans() -> models.OrphanList:
    owner(router)  # orphans have no owner of record: any signed caller of this control plane sees them
    return orphans.list_orphans()


@router.post("/v1/orphans/scan", responses=answers())
def scan() -> models.Scan:
    owner(router)
    return orphans.scan()
