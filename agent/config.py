"""Command line and environment: everything the agent can be told, read once at start.

Environment overrides (defaults in brackets; tests shorten them):
  SKYREPL_LOG_BATCH_SECONDS [0.5]       send queued output at least this often
  SKYREPL_LOG_BATCH_BYTES [65536]       ...or as soon as this much is queued (also a batch's cap)
  SKYREPL_KILL_GRACE_SECONDS [10]       SIGTERM to SIGKILL, on cancel and at the deadline
  SKYREPL_DEADMAN_SECONDS [1200]        control plane silent this long: power off
  SKYREPL_DEADLINE_POWEROFF_GRACE_SECONDS [60]  still alive this long after the deadline: power off
  SKYREPL_POWEROFF_CMD [shutdown -h now]        run with the shell; --poweroff-cmd wins over it
  SKYREPL_BACKOFF_FIRST_SECONDS [1]     first wait after a failed call, doubled on each failure...
  SKYREPL_BACKOFF_MAX_SECONDS [30]      ...up to this
  SKYREPL_IMDS_URL [http://169.254.169.254]     the instance metadata service (spot runs only)
  SKYREPL_IMDS_POLL_SECONDS [5]         how often a spot run asks it for an interruption notice
  SKYREPL_SPOT_KILL_MARGIN_SECONDS [30] after a notice, stop the command this long before the instance goes
  SKYREPL_ARTIFACT_CANCEL_SECONDS [10]  after a cancel, upload artifacts for at most this long
  SKYREPL_AUTHORIZED_KEYS [~ubuntu/.ssh/authorized_keys]  where the run owner's SSH keys go (agent/ssh_keys.py)
"""
import argparse
import os
from typing import List, Mapping, NamedTuple, Optional

from agent import ssh_keys

DEFAULT_POWEROFF_CMD = "shutdown -h now"
DEFAULT_IMDS_URL = "http://169.254.169.254"


class Config(NamedTuple):
    api_url: str
    token_file: str
    workdir: str
    poweroff_cmd: str
    log_batch_seconds: float = 0.5
    log_batch_bytes: int = 65536
    kill_grace_seconds: float = 10.0
    deadman_seconds: float = 1200.0  # 20 min, as the original agent's self-terminate
    deadline_poweroff_grace_seconds: float = 60.0
    backoff_first_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    imds_url: str = DEFAULT_IMDS_URL
    imds_poll_seconds: float = 5.0
    spot_kill_margin_seconds: float = 30.0
    artifact_cancel_seconds: float = 10.0  # + the kill and a poll: within the control plane's 30 s grace
    authorized_keys: str = ""  # "": no such user here, no SSH key is installed


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


def parse(argv: Optional[List[str]], environ: Mapping[str, str]) -> Config:
    args = _parser().parse_args(argv)
    if not args.api_url.startswith(("http://", "https://")):
        raise ConfigError("--api-url: {!r} is not an http(s) URL".format(args.api_url))
    token_file = os.path.abspath(args.token_file)
    workdir = args.workdir or os.path.join(os.path.dirname(token_file), "work")
    imds_url = environ.get("SKYREPL_IMDS_URL", "").strip() or DEFAULT_IMDS_URL
    if not imds_url.startswith(("http://", "https://")):
        raise ConfigError("SKYREPL_IMDS_URL: {!r} is not an http(s) URL".format(imds_url))
    return Config(
        api_url=args.api_url.rstrip("/"),
        token_file=token_file,
        workdir=os.path.abspath(workdir),
        poweroff_cmd=args.poweroff_cmd or environ.get("SKYREPL_POWEROFF_CMD") or DEFAULT_POWEROFF_CMD,
        log_batch_seconds=_number(environ, "SKYREPL_LOG_BATCH_SECONDS", 0.5),
        log_batch_bytes=int(_number(environ, "SKYREPL_LOG_BATCH_BYTES", 65536, minimum=1024)),
        kill_grace_seconds=_number(environ, "SKYREPL_KILL_GRACE_SECONDS", 10.0),
        deadman_seconds=_number(environ, "SKYREPL_DEADMAN_SECONDS", 1200.0),
        deadline_poweroff_grace_seconds=_number(environ, "SKYREPL_DEADLINE_POWEROFF_GRACE_SECONDS", 60.0),
        backoff_first_seconds=_number(environ, "SKYREPL_BACKOFF_FIRST_SECONDS", 1.0),
        backoff_max_seconds=_number(environ, "SKYREPL_BACKOFF_MAX_SECONDS", 30.0),
        imds_url=imds_url.rstrip("/"),
        imds_poll_seconds=_number(environ, "SKYREPL_IMDS_POLL_SECONDS", 5.0, minimum=0.05),
        spot_kill_margin_seconds=_number(environ, "SKYREPL_SPOT_KILL_MARGIN_SECONDS", 30.0),
        artifact_cancel_seconds=_number(environ, "SKYREPL_ARTIFACT_CANCEL_SECONDS", 10.0),
        authorized_keys=os.path.abspath(environ["SKYREPL_AUTHORIZED_KEYS"]) if environ.get("SKYREPL_AUTHORIZED_KEYS")
        else ssh_keys.default_path(),
    )


def read_token(path: str) -> str:
    """The file holds the bearer token text `<instance_key>.<secret>`; surrounding blanks are dropped."""
    try:
        with open(path, encoding="utf-8") as f:
            token = f.read().strip()
    except OSError as err:
        raise ConfigError("--token-file: cannot read {}: {}".format(path, err.strerror))
    if not token or any(c.isspace() for c in token):
        raise ConfigError("--token-file: {} must hold one token and nothing else".format(path))
    return token


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="agent", description="SkyREPL VM agent")
    p.add_argument("--api-url", required=True, help="control plane base URL, e.g. https://x.example/prod")
    p.add_argument("--token-file", required=True, help="file holding the instance token")
    p.add_argument("--workdir", help="where the command runs (default: 'work' next to the token file)")
    p.add_argument("--poweroff-cmd", help="shell command that powers the machine off")
    return p


def _number(environ: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("{}: {!r} is not a number".format(name, raw))
    if not value >= minimum:  # also refuses NaN
        raise ConfigError("{}: must be at least {}".format(name, minimum))
    return value
