"""A CloudFormation custom resource: run the seed's startup() for the stack's region at deploy.

On Create and Update it verifies the credentials and creates (or finds) the `skyrepl-default`
security group and the `skyrepl-{region}` key pair, exactly as the first launch in a region would.
It always answers SUCCESS: a failure here must not roll the deployment back, since the first
launch runs startup() again and reports the same error to the user with advice.
"""
import json
import urllib.request

from functions.aws import provider
from functions.observability import logger
from functions.settings import settings


@logger.inject_lambda_context
def handler(event, context):
    data, reason = {}, "nothing to do on delete: the security group and key pair are kept"
    if event.get("RequestType") in ("Create", "Update"):
        data, reason = run_startup(settings().default_region)
    respond(event, context, data, reason)
    return data


def run_startup(region: str) -> tuple[dict, str]:
    try:
        result = provider.startup(region)
    except Exception as err:  # noqa: BLE001 - reported in the resource's reason, never fatal (see above)
        logger.warning("startup failed at deploy", extra={"region": region, "error": str(err)})
        return {}, f"startup() in {region} failed; the first launch will retry: {err}"
    public = {k: str(result[k]) for k in ("security_group_id", "key_name") if k in result}
    return public, f"startup() done in {region}"


def respond(event: dict, context, data: dict, reason: str) -> None:
    body = json.dumps({
        "Status": "SUCCESS", "Reason": reason[:1000], "Data": data,
        "PhysicalResourceId": event.get("PhysicalResourceId") or f"skyrepl-startup-{settings().default_region}",
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30) as response:  # a presigned S3 URL from CloudFormation
        response.read()
