"""The user API Lambda: one resolver, one Router per resource, errors mapped in functions/http_errors."""
from functools import lru_cache

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

from functions import http_errors
from functions.http import VERSION
from functions.api import models
from functions.api.identity import owner
from functions.api.routes import artifacts, cache, health, instances, keys, orphans, runs, snapshots, ssh_keys, workdirs
from functions.api.routes import pools, tailscale
from functions.observability import logger

app = http_errors.resolver()
for module in (health, runs, artifacts, instances, cache, snapshots, keys, orphans, workdirs, ssh_keys, tailscale, pools):
    app.include_router(module.router)
SECURITY = {"iam": APIKey(name="Authorization", in_=APIKeyIn.header, description=(
    "AWS SigV4: the HTTP API's IAM auth (the embedded stack: `Bearer <its local token>`)"))}


@app.get("/v1/openapi.json", responses=http_errors.answers(description="this document"))
def openapi() -> dict:
    """The contract itself (docs/protocol.md §1 in prose), for clients and the fuzzer (tests/fuzz)."""
    owner(app)  # as every route: a signed call
    return document()


@lru_cache(maxsize=1)  # generated once per function instance
def document() -> dict:
    document = http_errors.openapi_document(app, title="SkyREPL user API", version=VERSION,
                                            security_schemes=SECURITY, security=[{"iam": []}], description=(
                                                "Run a command on a fresh cloud VM and know the VM is gone "
                                                "afterwards. Errors: docs/protocol.md."))
    for launches in ("CreateRun", "CreatePool"):  # both: a region of the partition, a spec or a snapshot
        models.publish_run_rules(document["components"]["schemas"][launches])
    return document


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event, context):
    return app.resolve(event, context)
