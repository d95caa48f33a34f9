"""What `repl run` asks for: each setting from a flag, else the chosen profile, else repl.toml's
top-level defaults, else the built-in default; and where each value came from (for --dry-run)."""
from dataclasses import dataclass
from pathlib import Path

from functions.core.errors import Invalid
from functions.core.requests import DEFAULT_MAX_DURATION_MS, parse_run_request
from repl import durations, project
from repl.environment import Environment
from repl.errors import CliError, ExitCode

BUILT_IN = {"provider": "aws", "spot_policy": "on-demand", "max_duration": DEFAULT_MAX_DURATION_MS}
# the settings a flag can also set (spot: --spot / --no-spot, which spot_policy says too)
FLAGS = ("provider", "spec", "region", "spot", "spot_policy", "max_duration", "artifacts")
# a setting's name in the POST /v1/runs body, if not its own (region and spec: one, or the list of them)
WIRE_NAMES = {"max_duration": "max_duration_ms"}
WIRE_SETTING = {"max_duration_ms": "max_duration", "regions": "region", "specs": "spec", "spot": "spot_policy"}
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
    layers = [(source, one_name_per_setting(layer, source, path, args.profile)) for source, layer in layers]
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


def one_name_per_setting(layer: dict, source: str, path: Path | None, profile: str | None) -> dict:
    """A layer's ways of saying one setting made one: `region` is a list (`--region a,b`, repeated, or
    `regions = [...]`), so is `spec` (`--spec x,y`), and `spot_policy` says what `spot` did."""
    layer = dict(layer)
    regions, region = layer.pop("regions", None), layer.get("region")
    if regions is not None and region is not None:
        raise CliError(f"{_where(source, path, profile)}: region and regions both set; keep one", ExitCode.USAGE)
    if regions is not None or region is not None:
        layer["region"] = _listed(regions if regions is not None else region)
    if layer.get("spec") is not None:
        layer["spec"] = _listed(layer["spec"])
    spot = layer.pop("spot", None)
    if spot is not None and layer.get("spot_policy") not in (None, "spot" if spot else "on-demand"):
        said = ("--spot" if spot else "--no-spot") if source == "flag" else f"spot = {str(spot).lower()}"
        raise CliError(f"{_where(source, path, profile)}: {said} contradicts spot_policy {layer['spot_policy']}; "
                       "keep one", ExitCode.USAGE)
    if spot is not None:
        layer["spot_policy"] = "spot" if spot else "on-demand"
    return layer


def _listed(value) -> list[str]:
    """'a,b' / ['a,b', 'c'] -> ['a', 'b', 'c']; an empty item is kept ('') so that the check names it."""
    items = [value] if isinstance(value, str) else value
    return [part.strip() for item in items for part in item.split(",")]


def _where(source: str, path: Path | None, profile: str | None) -> str:
    return {"flag": "flags", "repl.toml": str(path)}.get(source, f"[profile.{profile}] of {path}")


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
    specs_, regions, policy = values.get("spec") or [None], values.get("region") or [], values["spot_policy"]
    body = {"provider": values["provider"], **({"spec": specs_[0]} if len(specs_) == 1 else {"specs": specs_}),
            "command": command, "max_duration_ms": durations.to_ms(values["max_duration"]), "spot": policy == "spot"}
    if policy not in ("spot", "on-demand"):  # the wire's spot says those two
        body["spot_policy"] = policy
    if regions:
        body.update({"region": regions[0]} if len(regions) == 1 else {"regions": regions})
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
        setting = WIRE_SETTING.get(err.field, err.field)
        where = resolved.where(setting)
        raise CliError(err.message + (f" (set as {where})" if where else ""), ExitCode.USAGE) from None
    return body


def body_sources(resolved: Resolved, body: dict) -> dict:
    """Where each field of the body came from: a flag, a profile, repl.toml or the default."""
    by_wire = {wire: resolved.sources[setting] for wire, setting in WIRE_SETTING.items() if setting in resolved.sources}
    by_wire.update({WIRE_NAMES.get(key, key): source for key, source in resolved.sources.items()})
    return {field: by_wire.get(field, "flag" if field in ("command", "snapshot", "max_cost_usd") else "default") for field in body}
