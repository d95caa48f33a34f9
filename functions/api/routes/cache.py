"""/v1/admin/cache: the AMI cache; clearing it forces fresh lookups (an administrators' route, as every
/v1/admin/ one: what it changes is every user's)."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import cache, models
from functions.api.identity import owner
from functions.http import ADMIN
from functions.http_errors import answers

router = Router()


@router.post(f"{ADMIN}/cache/clear", responses=answers())
def clear_cache() -> models.CacheCleared:
    owner(router)
    return cache.clear()
