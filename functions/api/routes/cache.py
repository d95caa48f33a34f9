"""/v1/cache: the AMI cache; clearing it forces fresh lookups."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import cache, models
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.post("/v1/cache/clear", responses=answers())
def clear_cache() -> models.CacheCleared:
    owner(router)  # any signed caller may: the cache holds only public image ids
    return cache.clear()
