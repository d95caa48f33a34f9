"""Run artifacts, the agent's side: where to PUT each file it offers (presigned, one URL per file),
only for a run that asked for artifacts; the bytes go straight to S3."""
from functions.aws import artifacts
from functions.core.artifacts import parse_files
from functions.core.errors import Forbidden
from functions.store import runs


def uploads(instance: dict, body: dict) -> dict:
    run_id = instance["run_id"]
    if not (runs.get(run_id) or {}).get("artifacts"):
        raise Forbidden("artifacts: this run asked for none (repl run --artifacts GLOB)", field="artifacts")
    files = parse_files(body.get("files"))
    return {"uploads": [{"path": f["path"], "url": artifacts.upload_url(run_id, f["path"], f["size"])}
                        for f in files]}
