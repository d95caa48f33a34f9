"""/v1/cache: the AMI cache (24 h per region, version and arch). Clearing it forces fresh lookups,
the serverless counterpart of deleting ~/.cache/skyrepl/ in the seed's troubleshooting."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.identity import owner
from functions.aws.amis import clear_ami_cache

router = Router()


@router.post("/v1/cache/clear")
def clear_cache():
    owner(router)  # any signed caller may: the cache holds only public image ids
    return {"cleared": clear_ami_cache()}
