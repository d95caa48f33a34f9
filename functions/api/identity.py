"""The caller: the HTTP API's IAM authorizer puts the signer's ARN in the request context."""
from functions.core.errors import Unauthorized


def owner(router) -> str:
    iam = (router.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}).get("iam") or {}
    arn = iam.get("userArn")
    if not arn:  # only reachable if the route were deployed without IAM auth
        raise Unauthorized("authorization: the request carries no IAM identity")
    return arn
