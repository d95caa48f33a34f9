"""What `repl run` asks for: each setting from a flag, else the chosen profile, else repl.toml's
top-level defaults, else the built-in default; and where each value came from (for --dry-run)."""
from dataclasses import dataclass
from pathlib import Path

from functions.core.errors import Invalid
from functions.core.requests import DEFAULT_MAX_DURATION_MS, parse_run_request
from repl import durations, project
from repl.environment import Environment
from repl.errors import CliError, ExitCode

BUILT_IN = {"provider": "aws", "spot": False, "max_duration": DEFAULT_MAX_DURATION_MS}
FLAGS = ("provider", "spec", "region", "spot", "max_duration", "artifacts")  # the settings a flag can also set
WIRE_NAMES = {"max_duration": "max_duration_ms"}  # a setting's name in the POST /v1/runs body, if not its own
DEFAULT_REGION = "us-east-1"  # only to check a request here first; the control plane picks its own


@dataclass(frozen=True)
class Resolved:
    values: dict  # setting -> value, for every setting that has one
    sources: dict  # setting -> "flag", "profile NAME", "repl.toml" or "default"
    file: Path | None  # the repl.toml that was read
    profile: str | None

    def where(self, setting: str) -> str:
        """Where a file-made value was set, for an error about it: "spec in [profile.gpu] of /p/repl.toml"."""
        source = self.sources.get(setting, "")
        if source.startswith("profile "):
            return f"{setting} in [profile.{self.profile}] of {self.file}"
        return f"{setting} in {self.file}" if source == "repl.toml" else ""


def resolve(args, env: Environment) -> Resolved:
    path = project.find(env.cwd, env.home)
    found = project.load(path) if path else None
    if args.profile and found is None:
        raise CliError(f"--profile {args.profile}: no {project.FILE_NAME} in {env.cwd} or the directories above it; "
                       f"create one with a [profile.{args.profile}] table (see README, Profiles)", ExitCode.USAGE)
    layers = [("flag", {**{key: getattr(args, key) for key in FLAGS}, "env": flag_env(args.env, env.environ)})]
    if found and args.profile:
        layers.append((f"profile {args.profile}", found.profile(args.profile)))
    if found:
        layers.append(("repl.toml", found.defaults))
    layers.append(("default", BUILT_IN))
    values, sources = {}, {}
    for key in project.SETTINGS:
        for source, layer in layers:  # the first layer that sets it wins
            if layer.get(key) is not None:
                values[key], sources[key] = layer[key], source
                break
    values.pop("env", None)
    for source, layer in reversed(layers):  # env merges name by name: a flag's KEY beats the profile's
        if layer.get("env"):
            values["env"], sources["env"] = {**values.get("env", {}), **layer["env"]}, source
    return Resolved(values, sources, path, args.profile)


def flag_env(items: list | None, environ) -> dict | None:
    """--env KEY=VALUE, or --env KEY for the value this shell has."""
    if not items:
        return None
    env = {}
    for item in items:
        name, given, value = item.partition("=")
        if not given:
            if name not in environ:
                raise CliError(f"--env {name}: {name} is not set here; set it, or pass --env {name}=VALUE",
                               ExitCode.USAGE)
            value = environ[name]
        env[name] = value
    return env


def request_body(resolved: Resolved, command: str, snapshot: str | None, max_cost_usd: float | None = None,
                 pool: str | None = None, no_pool: bool = False, keep_alive_ms: int | None = None) -> dict:
    """POST /v1/runs's body, checked here first: a typo costs no round trip, and a bad value from
    repl.toml is named with the file and table it came from."""
    values = resolved.values
    body = {"provider": values["provider"], "spec": values.get("spec"), "command": command,
            "max_duration_ms": durations.to_ms(values["max_duration"]), "spot": values["spot"]}
    if values.get("region"):
        body["region"] = values["region"]
    if snapshot:  # the API takes region, arch and a default spec from the snapshot
        body["snapshot"] = snapshot
    if values.get("env"):
        body["env"] = values["env"]
    if values.get("artifacts"):  # a profile's `artifacts = []` clears the file's list: none are sent
        body["artifacts"] = values["artifacts"]
    if max_cost_usd is not None:  # a flag only (--max-cost): a limit per run, not a project default
        body["max_cost_usd"] = max_cost_usd
    if pool:
        body["pool"] = pool
    if no_pool:
        body["no_pool"] = True
    if keep_alive_ms is not None:  # a flag only, as --max-cost
        body["keep_alive_ms"] = keep_alive_ms
    try:  # the API's own rules (functions/core/requests.py): a mistake costs no round trip
        parse_run_request(body, default_region=DEFAULT_REGION)
    except Invalid as err:
        setting = {wire: name for name, wire in WIRE_NAMES.items()}.get(err.field, err.field)
        where = resolved.where(setting)
        raise CliError(err.message + (f" (set as {where})" if where else ""), ExitCode.USAGE) from None
    return body


def body_sources(resolved: Resolved, body: dict) -> dict:
    """Where each field of the body came from: a flag, a profile, repl.toml or the default."""
    by_wire = {WIRE_NAMES.get(key, key): source for key, source in resolved.sources.items()}
    return {field: by_wire.get(field, "flag" if field in ("command", "snapshot", "max_cost_usd") else "default") for field in body}
