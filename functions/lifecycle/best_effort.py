"""Calls whose answer is nice to have (a spot price, a public IP): a failure is logged, never fatal to the run."""
from typing import Callable

from botocore.exceptions import BotoCoreError

from functions.core.errors import AwsError
from functions.observability import logger


def attempt(what: str, call: Callable, *args, **context):
    """call(*args), or None if AWS refused or failed (aws_call has already translated its ClientError)."""
    try:
        return call(*args)
    except (AwsError, BotoCoreError) as err:
        logger.warning(f"{what} unknown (ignored)", extra={**context, "error": str(err)})
        return None
