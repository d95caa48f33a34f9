"""The caller: API Gateway's IAM auth puts the signer's ARN in the request context."""
from functions.core.errors import Unauthorized


def owner(router) -> str:
    arn = router.current_event.request_context.identity.user_arn
    if not arn:  # only reachable if the route were deployed without IAM auth
        raise Unauthorized("authorization: the request carries no IAM identity")
    return arn
