"""Run artifacts, the agent's side: where to PUT each file it offers (presigned, one URL per file),
only for a run that asked for artifacts; the bytes go straight to S3."""
from functions.aws import artifacts
from functions.core.artifacts import parse_files
from functions.core.errors import Forbidden
from functions.core.records import Instance
from functions.store import runs


def uploads(instance: Instance, body: dict) -> dict:
    run = runs.get(instance.run_id)
    if not run or not run.artifacts:
        raise Forbidden("artifacts: this run asked for none (repl run --artifacts GLOB)", field="artifacts")
    files = parse_files(body.get("files"))
    return {"uploads": [{"path": f["path"], "url": artifacts.upload_url(run.run_id, f["path"], f["size"])}
                        for f in files]}
