"""/v1/runs/{id}/artifacts: the files a run's agent uploaded (`repl artifact list|download`)."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import artifacts, models
from functions.api.identity import owner
from functions.http_errors import answers

router = Router()


@router.get("/v1/runs/<run_id>/artifacts", responses=answers(400, 404))
def list_artifacts(run_id: models.RunId) -> models.ArtifactList:
    return artifacts.of_run(owner(router), run_id)
