"""/v1/admin/orphans: instances of ours with no run record, as the sweeper found them; scan runs it now.

Administrators' routes: orphans belong to no owner, and a scan terminates instances. The users' IAM
policy (README, Security) denies `execute-api:Invoke` on /v1/admin/*.
"""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import models, orphans
from functions.api.identity import owner
from functions.http import ADMIN
from functions.http_errors import answers

router = Router()


@router.get(f"{ADMIN}/orphans", responses=answers())
def list_orphans() -> models.OrphanList:
    owner(router)
    return orphans.list_orphans()


@router.post(f"{ADMIN}/orphans/scan", responses=answers())
def scan() -> models.Scan:
    owner(router)
    return orphans.scan()
