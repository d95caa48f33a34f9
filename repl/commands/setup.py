"""`repl setup [--api-url URL | --stack NAME]`: find the control plane, check it answers a signed call
from you before saving anything, save its URL to ~/.repl/config.toml, and set up SSH."""
import ipaddress
import json
from urllib.parse import urlsplit

from repl import config, ssh_files
from repl.client import ApiError, Client, Unreachable
from repl.commands import Context
from repl.commands.ssh import RegionKeyRefused, describe, fetch_key, write_ssh_config
from repl.config import URL_VAR, Target
from repl.errors import CliError, ExitCode

DEFAULT_STACK = "SkyRepl"  # infra/settings.py STACK_NAME: `cdk deploy` prints its ApiUrl output
LOOPBACK_NAMES = ("localhost", "localhost.localdomain")
TAILSCALE_VARS = ("TAILSCALE_API_KEY", "TAILSCALE_TAILNET")
TAILSCALE_ROUTE = "/v1/admin/tailscale"


def setup(args, ctx: Context) -> int:
    url = args.api_url or (stack_api_url(args.stack, args.region) if args.stack else None) \
        or ctx.env.environ.get(URL_VAR) or config.configured_url(ctx.env) or stack_api_url(DEFAULT_STACK, args.region)
    url = checked_url(url.rstrip("/"))
    client = Client(Target(url, config.auth_for(url, ctx.env)))
    health = verified(client)
    path = save_api_url(ctx, url)
    ctx.use(client)
    ctx.env.out(f"api_url {url} saved to {ssh_files.shown(path)}\n")
    if ctx.env.environ.get(URL_VAR, url).rstrip("/") != url:
        ctx.env.err(f"[repl] note: {URL_VAR} is set, and it takes precedence over config.toml\n")
    ctx.env.out(f"control plane {url}: {health['status']} (control id {health['control_id']}, "
                f"version {health['version']}); signed in as {health.get('caller', '?')}\n")
    store_tailscale(ctx, client)
    if health.get("region"):  # startup() made its key pair at deploy: an administrator's, fetched now
        try:
            ctx.env.out(f"SSH key for {health['region']}: {ssh_files.shown(fetch_key(ctx, health['region']))}\n")
        except RegionKeyRefused:
            ctx.env.err("[repl] region SSH keys are for administrators (not you, says IAM): `repl ssh` makes a key "
                        "of your own for each run\n")
        except CliError as err:
            ctx.env.err(f"[repl] no SSH key for {health['region']} yet: {err.message}\n")
    ctx.env.out(describe(write_ssh_config(ctx)))
    return ExitCode.OK


def store_tailscale(ctx: Context, client: Client) -> None:
    """TAILSCALE_API_KEY and TAILSCALE_TAILNET (aws-setup.md), when set, stored through the administrators'
    route; a refusal is one line and setup goes on. The key is never printed: the answer holds only its id."""
    key, tailnet = (ctx.env.environ.get(name, "").strip() for name in TAILSCALE_VARS)
    if not (key or tailnet):
        return
    if not (key and tailnet):
        missing, other = TAILSCALE_VARS if not key else TAILSCALE_VARS[::-1]
        ctx.env.err(f"[repl] Tailscale: {missing} is not set (only {other} is): nothing stored\n")
        return
    try:
        stored = client.put(TAILSCALE_ROUTE, {"api_key": key, "tailnet": tailnet})
    except ApiError as err:
        reason = (f"the administrators' route PUT {TAILSCALE_ROUTE} refused you (HTTP 403): an administrator of "
                  "this deployment stores it, with `repl setup` and both variables set") if err.status == 403 \
            else err.message
        ctx.env.err(f"[repl] Tailscale: not stored: {reason.replace(key, '***')}\n")
        return
    except CliError as err:
        ctx.env.err(f"[repl] Tailscale: not stored: {err.message.replace(key, '***')}\n")
        return
    ctx.env.out(f"Tailscale: tailnet {stored.get('tailnet', tailnet)} stored (launches pick it up within 5 minutes)\n")


def checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(f"--api-url: {url!r} is not an http(s) URL; e.g. "
                       "https://abc123.execute-api.us-east-1.amazonaws.com", ExitCode.USAGE)
    if _loopback(parts.hostname):
        raise CliError(f"--api-url: {url} is a loopback address, and instances on AWS call the control plane "
                       "back: for them it would be themselves. Use the API's public URL (`cdk deploy` prints it "
                       "as SkyRepl.ApiUrl). The embedded stack needs no setup: `repl local up`, and repl uses it "
                       "while it is up.", ExitCode.USAGE)
    return url


def verified(client: Client) -> dict:
    """The signed health answer: proof that the URL is a control plane and that it accepts your credentials."""
    url = client.target.url
    try:
        return client.get("/v1/health")
    except Unreachable as err:
        raise CliError(f"{err.message}; nothing saved", ExitCode.USAGE) from None
    except ApiError as err:
        if err.status in (401, 403):
            raise CliError(f"the control plane at {url} refused your AWS credentials ({err.message}): check "
                           "which identity they are with `aws sts get-caller-identity`; nothing saved",
                           ExitCode.USAGE) from None
        raise CliError(f"{url} does not answer as a SkyREPL control plane (HTTP {err.status}: {err.message}); "
                       "nothing saved", ExitCode.USAGE) from None


def stack_api_url(stack: str, region: str | None) -> str:
    """The ApiUrl output of the deployed CDK stack."""
    from botocore.exceptions import BotoCoreError, ClientError

    from functions.aws import clients  # only here: every other command works without boto3
    try:
        found = clients.client("cloudformation", region).describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as err:
        raise CliError(f"--stack: {err.response['Error']['Message']}; deploy it with `cdk deploy`, or pass "
                       "--api-url URL", ExitCode.USAGE) from None
    except BotoCoreError as err:
        raise CliError(f"--stack: cannot read stack {stack}: {err}; pass --region, or --api-url URL",
                       ExitCode.USAGE) from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    if "ApiUrl" not in outputs:
        raise CliError(f"--stack: stack {stack} has no ApiUrl output: is it a SkyREPL stack?", ExitCode.USAGE)
    return outputs["ApiUrl"]


def save_api_url(ctx: Context, url: str):
    path = ctx.env.config_dir / "config.toml"
    ctx.env.config_dir.mkdir(mode=0o700, exist_ok=True)
    lines = path.read_text().splitlines() if path.exists() else []
    # top-level keys come before any [table]: api_url goes first, every other line stays as it was
    head = next((n for n, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
    top = [line for line in lines[:head] if line.split("=")[0].strip() != "api_url"]
    url_line = f"api_url = {json.dumps(url)}"  # a JSON string is a valid TOML basic string
    ssh_files.write_atomic(path, "\n".join([url_line, *top, *lines[head:]]) + "\n")
    return path


def _loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
