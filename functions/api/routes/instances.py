"""/v1/instances: the caller's instances."""
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api import instances, models
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.get("/v1/instances", responses=answers(400))
def list_instances(include_ended: Annotated[Literal["true", "false"],
                                            Query(alias="all", description="true: terminated ones too")] = "false",
                   ) -> models.InstanceList:
    return instances.list_instances(owner(router), include_ended == "true")


@router.delete("/v1/instances/<instance>", responses=answers(400, 404, 409))
def terminate_instance(instance: models.InstanceOrRun) -> models.TerminatedInstance:
    return instances.terminate(owner(router), instance)
