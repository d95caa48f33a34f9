"""Invoking another of our Lambdas synchronously (`repl orphan scan` runs the sweeper now)."""
import json

import boto3


def invoke(function_name: str, payload: dict, region: str) -> dict:
    client = boto3.session.Session().client("lambda", region_name=region)
    answer = client.invoke(FunctionName=function_name, Payload=json.dumps(payload).encode())
    body = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        raise RuntimeError(f"{function_name} failed: {body.get('errorType')}: {body.get('errorMessage')}")
    return body
