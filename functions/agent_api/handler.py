"""The agent API Lambda: no IAM auth at the gateway; every route checks the instance token itself."""
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from functions import http_errors
from functions.agent_api import routes
from functions.observability import logger

app = APIGatewayHttpResolver()
app.include_router(routes.router)
http_errors.install(app)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event, context):
    return app.resolve(event, context)
