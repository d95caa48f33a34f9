"""/v1/runs/{id}/artifacts: the files a run's agent uploaded (`repl artifact list|download`)."""
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api import artifacts
from functions.api.identity import owner

router = Router()


@router.get("/v1/runs/<run_id>/artifacts")
def list_artifacts(run_id: str):
    return artifacts.of_run(owner(router), run_id)
