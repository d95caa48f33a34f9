"""/v1/orphans: instances of ours with no run record, as the sweeper found them; scan runs it now."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.identity import owner
from functions.aws.lambdas import invoke
from functions.settings import settings
from functions.sweeper.sweep import list_orphans

router = Router()


@router.get("/v1/orphans")
def orphans():
    owner(router)  # orphans have no owner of record: any signed caller of this control plane sees them
    return {"orphans": list_orphans()}


@router.post("/v1/orphans/scan")
def scan():
    owner(router)
    result = invoke(settings().sweeper_function, {"source": "repl orphan scan"}, settings().default_region)
    return {"terminated": result["terminated"], "orphans": result["orphans"]}
