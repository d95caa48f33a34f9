"""EventBridge rate(5 minutes) -> the sweeper."""
from functions.observability import logger
from functions.sweeper.sweep import reconcile_one, sweep


@logger.inject_lambda_context
def handler(event, context):
    if isinstance(event, dict) and isinstance(event.get("reconcile"), str):  # `repl run cancel` of a stuck run
        return {"reconciled": reconcile_one(event["reconcile"])}
    result = sweep()
    logger.info("sweep done", extra={"terminated": result["terminated"]})
    return result
