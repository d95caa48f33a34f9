"""The agent API Lambda: no IAM auth at the gateway; every route checks the instance's credential itself."""
from functools import lru_cache

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from functions import http_errors
from functions.http import VERSION
from functions.agent_api import routes
from functions.agent_api.auth import boot
from functions.observability import logger

app = http_errors.resolver()
app.include_router(routes.router)
SECURITY = {"instanceToken": HTTPBearer(description=(
    "the session credential `<instance_key>.<session_id>.<mac>` the registration answered; on the boot "
    "routes (code, register), the boot token `<instance_key>.<secret>` from the instance's user data, "
    "until the session credential has been used"))}


@app.get("/v1/agent/openapi.json", responses=http_errors.answers(410, description="this document"))
def openapi() -> dict:
    """The agent's side of the contract (docs/protocol.md §2 in prose)."""
    boot(app.current_event)  # either credential: the bootstrap may read it as well as the agent
    return document()


@lru_cache(maxsize=1)  # generated once per function instance
def document() -> dict:
    return http_errors.openapi_document(app, title="SkyREPL agent API", version=VERSION, security_schemes=SECURITY,
                                        security=[{"instanceToken": []}], description="What an instance's agent "
                                        "calls: registration, events, logs, status, artifacts.")


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event, context):
    return app.resolve(event, context)
