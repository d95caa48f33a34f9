"""The operator's Tailscale settings behind PUT|GET|DELETE /v1/admin/tailscale (`repl setup` stores them):
the API access token Provision mints each instance's auth key with, and the tailnet. They go to the SSM
parameters functions/tailscale/config.py reads; the key is never answered, logged or quoted in an error."""
import re

from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.core.errors import SkyReplError
from functions.observability import logger
from functions.settings import settings
from functions.tailscale import API_KEY_PARAMETER, TAILNET_PARAMETER

# tskey-api-<key id>-<secret> (Tailscale's key prefixes); an auth key (tskey-auth-) or an OAuth client's
# secret (tskey-client-) cannot mint auth keys with a Bearer header, so neither is taken
API_KEY = r"^tskey-api-[A-Za-z0-9_-]{8,190}$"
API_KEY_ALLOWED = ("a Tailscale API access token, tskey-api-... (admin console > Settings > Keys), "
                   "at most 200 characters")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# DNS-like (example.com, tail1234.ts.net, a tailnet id), an older personal tailnet's user@example.com
TAILNET = rf"^(?:-|(?:[A-Za-z0-9._%+-]{{1,64}}@)?{_LABEL}(?:\.{_LABEL})*)$"
MAX_TAILNET_CHARS = 253
TAILNET_ALLOWED = "the tailnet's name (example.com, tail1234.ts.net) or - (the token's own tailnet)"
_KEY_ID = re.compile(r"tskey-api-([A-Za-z0-9]+)-")


def store(caller: str, api_key: str, tailnet: str) -> dict:
    """Both parameters written (the key first: a launch needs both, so a half-done store changes nothing)."""
    region = settings().default_region
    try:
        with aws_call("ssm:PutParameter", region):
            clients.ssm(region).put_parameter(Name=API_KEY_PARAMETER, Value=api_key, Type="SecureString",
                                              Overwrite=True)
            clients.ssm(region).put_parameter(Name=TAILNET_PARAMETER, Value=tailnet, Type="String", Overwrite=True)
    except SkyReplError as err:  # AWS's message might quote what it was given
        err.message = err.message.replace(api_key, "***")
        err.args = (err.message,)
        raise
    logger.info("Tailscale settings stored", extra={"caller": caller, "tailnet": tailnet, "key_id": key_id(api_key)})
    return view(api_key, tailnet)


def show() -> dict:
    region = settings().default_region
    return view(_read(region, API_KEY_PARAMETER), _read(region, TAILNET_PARAMETER))


def remove(caller: str) -> dict:
    """Tailscale off: both parameters deleted (either may be absent already)."""
    region = settings().default_region
    for name in (API_KEY_PARAMETER, TAILNET_PARAMETER):
        with aws_call("ssm:DeleteParameter", region), tolerating("ParameterNotFound"):
            clients.ssm(region).delete_parameter(Name=name)
    logger.info("Tailscale settings removed", extra={"caller": caller})
    return view(None, None)


def view(api_key: str | None, tailnet: str | None) -> dict:
    return {"configured": bool(api_key and tailnet), "tailnet": tailnet, "api_key": "stored" if api_key else "absent",
            "key_id": key_id(api_key) if api_key else None}


def key_id(api_key: str) -> str | None:
    """The token's id, as the admin console's Keys page lists it (not its secret); None for another shape."""
    found = _KEY_ID.match(api_key)
    return found.group(1) if found else None


def _read(region: str, name: str) -> str | None:
    found = None
    with aws_call("ssm:GetParameter", region), tolerating("ParameterNotFound"):
        found = clients.ssm(region).get_parameter(Name=name, WithDecryption=True)
    return found["Parameter"]["Value"].strip() if found else None
