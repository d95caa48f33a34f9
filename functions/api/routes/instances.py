"""/v1/instances: the caller's instances."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import instances
from functions.api.identity import owner

router = Router()


@router.get("/v1/instances")
def list_instances():
    include_ended = router.current_event.get_query_string_value("all", "false").lower() == "true"
    return instances.list_instances(owner(router), include_ended)
