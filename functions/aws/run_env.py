"""A run's `--env` values, kept as one SSM SecureString in the control plane's region from the run's
creation (the API) until its instance is terminated (Finalize or Cleanup); the agent reads them once,
through its authenticated route, right before it starts the command."""
import json

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.aws.permissions import RUN_ENV_PARAMETER_PREFIX
from functions.settings import settings


def parameter(run_id: str) -> str:
    return RUN_ENV_PARAMETER_PREFIX + run_id + "/env"


def save(run_id: str, env: dict) -> None:
    if not env:
        return
    region = settings().default_region
    with aws_call("ssm:PutParameter", region):
        clients.ssm(region).put_parameter(Name=parameter(run_id), Value=json.dumps(env), Type="SecureString",
                                          Overwrite=True, Description=f"environment of run {run_id}")


def load(run_id: str) -> dict:
    region, found = settings().default_region, None
    with aws_call("ssm:GetParameter", region), tolerating("ParameterNotFound"):
        found = clients.ssm(region).get_parameter(Name=parameter(run_id), WithDecryption=True)
    return json.loads(found["Parameter"]["Value"]) if found else {}


def forget(run_id: str) -> None:
    region = settings().default_region
    with aws_call("ssm:DeleteParameter", region), tolerating("ParameterNotFound"):
        clients.ssm(region).delete_parameter(Name=parameter(run_id))
