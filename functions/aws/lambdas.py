"""Invoking another of our Lambdas: synchronously (`repl orphan scan` runs the sweeper now), or not waiting
(Provision has the pool keeper replace a claimed instance)."""
import json

from functions.aws import clients
from functions.aws.errors import aws_call
from functions.core.errors import SkyReplError


def invoke(function_name: str, payload: dict) -> dict:
    with aws_call("lambda:InvokeFunction"):
        answer = clients.lambda_().invoke(FunctionName=function_name, Payload=json.dumps(payload).encode())
    body = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        raise SkyReplError(f"{function_name}: it failed ({body.get('errorType')}: {body.get('errorMessage')}); "
                           "its log group says more")
    return body


def invoke_async(function_name: str, payload: dict) -> None:
    """Queued by Lambda (InvocationType=Event): the caller does not wait for it, nor hear how it went."""
    with aws_call("lambda:InvokeFunction"):
        clients.lambda_().invoke(FunctionName=function_name, InvocationType="Event", Payload=json.dumps(payload).encode())
