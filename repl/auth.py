"""How requests prove who sends them: the embedded stack's local token, or SigV4 for API Gateway IAM auth."""
import re
from dataclasses import dataclass
from typing import Any, Mapping

SERVICE = "execute-api"
# https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html
_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")


@dataclass(frozen=True)
class BearerAuth:
    token: str

    def headers(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class SigV4:
    credentials: Any  # botocore Credentials: refreshable ones are frozen at each request
    region: str

    def headers(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]) -> dict:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        SigV4Auth(self.credentials.get_frozen_credentials(), SERVICE, self.region).add_auth(request)
        return dict(request.headers.items())


def region_for(host: str, environ: Mapping[str, str]) -> str:
    """API Gateway's default host names carry the region; a custom domain falls back to the AWS env vars."""
    match = _API_HOST.fullmatch(host)
    if match:
        return match.group(1)
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def default_credentials():
    """botocore's default chain: env vars, ~/.aws/credentials and config (AWS_PROFILE, SSO), IMDS, ..."""
    from functions.aws import clients

    return clients.credentials()
