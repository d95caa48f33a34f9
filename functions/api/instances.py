"""Instance use cases: the caller's instances, and ending one kept after its command (`repl instance terminate`)."""
from functions.api.views import instance_view, run_view
from functions.aws import lambdas, stepfunctions
from functions.core.clock import now_ms
from functions.core.errors import Conflict, NotFound
from functions.core.records import Instance, Run
from functions.settings import settings
from functions.store import instances, runs


def list_instances(owner: str, include_ended: bool) -> dict:
    return {"instances": [instance_view(i) for i in instances.list_owned(owner, include_ended)]}


def terminate(owner: str, target: str) -> dict:
    """Release a kept instance (`--keep-alive`): its workflow's Kept state ends and Finalize terminates it.
    One already on its way out is answered as it is; a run's command still running is the run's to cancel."""
    instance, run = _find(owner, target)
    if run is None:
        raise Conflict(f"instance: {instance.instance_id} is idle in pool {instance.pool_name}; repl pool resize "
                       f"{instance.pool_name} --size N (or repl pool delete {instance.pool_name}) ends it",
                       field="instance")
    if not run.ended:
        raise Conflict(f"instance: run {run.run_id} is {run.status} on {instance.instance_id}; repl run cancel "
                       f"{run.run_id} stops its command and terminates the instance", field="instance")
    if run.kept(now_ms()):
        run = runs.update(run.run_id, release_requested_ms=now_ms())
        if run.keep_token:  # else KeepInstance, storing the token, sees the release (workflow/keep_instance.py)
            stepfunctions.succeed(run.keep_token, {"released": True})
        execution = stepfunctions.execution_status(run.execution_arn) if run.execution_arn else None
        if execution is None or execution["status"] != "RUNNING":  # no workflow left to do it: the sweeper, now
            lambdas.invoke(settings().sweeper_function, {"reconcile": run.run_id})
            run = runs.get(run.run_id) or run
    return {"instance": instance_view(instances.get(instance.instance_key) or instance), "run": run_view(run)}


def _find(owner: str, target: str) -> tuple[Instance, Run | None]:
    """The caller's instance by its id or its run's id, and its run (None: an idle pool instance)."""
    if target.startswith("i-"):  # the live ones first: the owner's history only for an id not among them
        found = next((i for ended in (False, True) for i in instances.list_owned(owner, ended)
                      if i.instance_id == target), None)
        if found is None:
            raise NotFound(f"instance: no instance {target} of yours (see: repl instance list)", field="instance")
        return found, runs.get(found.run_id) if found.run_id else None
    run = runs.get(target)
    if run is None or run.owner != owner:  # another owner's run does not exist for this caller
        raise NotFound(f"instance: no instance or run {target} of yours (see: repl instance list)", field="instance")
    found = instances.get(run.instance_key) if run.instance_key else None
    if found is None or not found.instance_id:
        raise Conflict(f"instance: run {run.run_id} has no instance (it is {run.status})", field="instance")
    return found, run
