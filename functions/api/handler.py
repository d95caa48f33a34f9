"""The user API Lambda: one resolver, one Router per resource, errors mapped in functions/http_errors."""
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from functions import http_errors
from functions.api.routes import artifacts, cache, health, instances, keys, orphans, runs, snapshots, workdirs
from functions.observability import logger

app = APIGatewayHttpResolver()
for module in (health, runs, artifacts, instances, cache, snapshots, keys, orphans, workdirs):
    app.include_router(module.router)
http_errors.install(app)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event, context):
    return app.resolve(event, context)
