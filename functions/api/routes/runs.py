"""/v1/runs: create, list, get, read logs, cancel."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from functions.api import models, runs
from functions.api.identity import owner
from functions.api.views import run_view
from functions.http import Hold, agent_key, answer, idle_key, run_key
from functions.http_errors import answers

router = Router()
IdempotencyKey = Header(alias="Idempotency-Key", pattern=r"^[\x20-\x7e]{1,255}$",
                        description="1 to 255 printable ASCII characters (a UUID is a good choice)")


@router.post("/v1/runs", responses=answers(400, 403, 404, 409, 429, ok=201, also=(200,), description=(
    "201: the new run, pending (booting if it took an idle pool instance); 200: a replay's run")))
def create_run(body: models.CreateRun, key: Annotated[str, IdempotencyKey] = None) -> Response[models.RunAnswer]:
    run, replayed = runs.create_run(owner(router), body.model_dump(exclude_unset=True), key)
    # A replay answers 200 with the run the first request created (and started): nothing new. A claimed
    # pool instance's idle agent, held on the embedded stack, looks for its command now.
    return answer({"run": run_view(run)}, status=200 if replayed else 201,
                  changed=(idle_key(run.instance_key),) if run.warm_pool else (),
                  headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.get("/v1/runs", responses=answers(400))
def list_runs(limit: Annotated[int, Query(ge=1, le=runs.MAX_LIST_LIMIT)] = 50,
              cursor: Annotated[str, Query(max_length=1024, description="next_cursor of the last page")] = None,
              ) -> models.RunList:
    return runs.list_runs(owner(router), limit, cursor)


@router.get("/v1/runs/<run_id>", responses=answers(400, 404))
def get_run(run_id: models.RunId) -> models.RunAnswer:
    return runs.get_run(owner(router), run_id)


@router.get("/v1/runs/<run_id>/logs", responses=answers(400, 404))
def read_logs(run_id: models.RunId,
              after: Annotated[str, Query(pattern=r"^[0-9]{1,15}$", description="the last seq seen")] = None,
              status: Annotated[models.Status, Query(description="the run's status the follower has seen")] = None,
              attempts: Annotated[int, Query(ge=0, le=10_000, description="how far the run's attempts were when "
                                             "the follower last read (each start and end counts one)")] = None,
              _hold: Hold = None) -> Response[models.LogPage]:
    page, idle, noted = runs.read_logs(owner(router), run_id, after, status, attempts)
    return answer(page, wait=run_key(run_id) if idle else None, changed=(agent_key(run_id),) if noted else ())


@router.post("/v1/runs/<run_id>/cancel", responses=answers(400, 404, 409, ok=202))
def cancel_run(run_id: models.RunId) -> Response[models.RunAnswer]:
    return answer(runs.cancel_run(owner(router), run_id), status=202, changed=(run_key(run_id), agent_key(run_id)))
