"""Which control plane to talk to, and how to authenticate: env var > config.toml > embedded stack."""
import tomllib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from repl.auth import BearerAuth, SigV4, default_credentials, region_for
from repl.environment import Environment
from repl.errors import CliError, ExitCode

URL_VAR = "SKYREPL_CONTROL_PLANE_URL"
NO_CONTROL_PLANE = ("no control plane configured: run 'repl local up' for the embedded stack, or set "
                    f"{URL_VAR} to your API URL (see README)")
NO_CREDENTIALS = ("no AWS credentials found to sign requests to {url}: configure AWS credentials "
                  "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, `aws configure`, or AWS_PROFILE)")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Target:
    url: str
    auth: Any  # BearerAuth | SigV4: anything with headers(method, url, body, headers)


def resolve(env: Environment) -> Target:
    url = env.environ.get(URL_VAR) or configured_url(env)
    if url:
        url = url.rstrip("/")
        return Target(url, auth_for(url, env))
    state = env.control().status(env.config_dir)
    if state is None:
        raise CliError(NO_CONTROL_PLANE, ExitCode.USAGE)
    env.err(f"[repl] using the embedded stack at {state.api_url} (repl local up)\n")
    return Target(state.api_url.rstrip("/"), BearerAuth(state.token))


def configured_url(env: Environment) -> str | None:
    path = env.config_dir / "config.toml"
    try:
        with path.open("rb") as f:
            url = tomllib.load(f).get("api_url")
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise CliError(f"cannot read {path}: {err}", ExitCode.USAGE) from None
    if url is not None and not isinstance(url, str):
        raise CliError(f"{path}: api_url must be a string (the API's URL)", ExitCode.USAGE)
    return url


def auth_for(url: str, env: Environment) -> Any:
    host = urlsplit(url).hostname or ""
    if host in _LOOPBACK:  # the embedded stack named explicitly: it wants its local token, not SigV4
        state = env.control().status(env.config_dir)
        if state is not None and state.api_url.rstrip("/") == url:
            return BearerAuth(state.token)
    credentials = default_credentials()
    if credentials is None:
        raise CliError(NO_CREDENTIALS.format(url=url), ExitCode.USAGE)
    return SigV4(credentials, region_for(host, env.environ))
