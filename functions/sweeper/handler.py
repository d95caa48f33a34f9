"""EventBridge rate(5 minutes) -> the sweeper."""
from functions.observability import logger
from functions.sweeper.sweep import sweep


@logger.inject_lambda_context
def handler(event, context):
    result = sweep()
    logger.info("sweep done", extra={"terminated": result["terminated"]})
    return result
