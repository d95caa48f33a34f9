"""A CloudFormation custom resource: run the seed's startup() for the stack's region at deploy.

On Create and Update it verifies the credentials and creates (or finds) the `skyrepl-default`
security group and the `skyrepl-{region}` key pair, exactly as the first launch in a region would.
A failure is reported as FAILED with the reason (a missing permission, say): the deployment is rolled
back saying why, rather than succeeding with a startup that every launch would then fail.
"""
import json
import urllib.request

from functions.aws import provider
from functions.observability import logger
from functions.settings import settings


@logger.inject_lambda_context
def handler(event, context):
    ok, data, reason = True, {}, "nothing to do on delete: the security group and key pair are kept"
    if event.get("RequestType") in ("Create", "Update"):
        ok, data, reason = run_startup(settings().default_region)
    respond(event, context, data, reason, ok)
    return data


def run_startup(region: str) -> tuple[bool, dict, str]:
    try:
        result = provider.startup(region)
    except Exception as err:  # noqa: BLE001 - every failure is CloudFormation's to report (see above)
        logger.warning("startup failed at deploy", extra={"region": region, "error": str(err)})
        return False, {}, f"startup() in {region} failed: {err}"
    public = {k: str(result[k]) for k in ("security_group_id", "key_name") if k in result}
    return True, public, f"startup() done in {region}"


def respond(event: dict, context, data: dict, reason: str, ok: bool = True) -> None:
    body = json.dumps({
        "Status": "SUCCESS" if ok else "FAILED", "Reason": reason[:1000], "Data": data,
        "PhysicalResourceId": event.get("PhysicalResourceId") or f"skyrepl-startup-{settings().default_region}",
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30) as response:  # a presigned S3 URL from CloudFormation
        response.read()
