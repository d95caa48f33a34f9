"""Validation of the create-run request: every error names its field and what is allowed."""
import re
from dataclasses import dataclass, field

from . import choices
from .artifacts import parse_globs
from .errors import Invalid
from .run_env import parse_env
from .snapshots import image_id
from .specs import Spec, parse_spec

PROVIDERS = ("aws",)
DEFAULT_MAX_DURATION_MS = 3_600_000  # 1 h
MIN_MAX_DURATION_MS = 1_000  # 1 s: short limits are the user's call (a real boot takes 20-40 s)
MAX_MAX_DURATION_MS = 7 * 24 * 3_600_000  # 7 days
MAX_MAX_COST_USD = 1_000_000  # `--max-cost`: from a hundred-thousandth of a dollar up to this
MIN_MAX_COST_USD = 0.00001  # ...as DynamoDB keeps no number under 1e-130 (a 5e-324 was a 500, found by the fuzzer)
MAX_COST_ALLOWED = f"a number of US dollars from {MIN_MAX_COST_USD:.5f} to {MAX_MAX_COST_USD}"
KEEP_ALIVE_ALLOWED = (f"an integer number of milliseconds from {MIN_MAX_DURATION_MS} to {MAX_MAX_DURATION_MS} "
                      "(the run's deadline still ends the instance)")
MAX_COMMAND_BYTES = 16_384  # the command travels in SSE events and DynamoDB items
# Patterns in the one dialect Python, JSON Schema (ECMA) and pydantic (Rust) read alike: ASCII classes,
# no \d or \s (Python's \d takes "٣" too). The API's models (functions/api/models.py) publish them.
SHA256 = r"^[0-9a-f]{64}$"
REGION = r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$"
_SHA256, _REGION = re.compile(SHA256), re.compile(REGION)
FIELDS = ("provider", "spec", "command", "max_duration_ms", "specs", "spot", "spot_policy", "region", "regions",
          "snapshot", "env", "workdir", "artifacts", "max_cost_usd", "pool", "no_pool", "keep_alive_ms")
POOL_NAME = r"^[a-z0-9][a-z0-9-]{0,31}$"  # `repl pool create NAME`
POOL_NAME_ALLOWED = "1 to 32 lower-case letters, digits and -, starting with a letter or digit"
_POOL_NAME = re.compile(POOL_NAME)


@dataclass(frozen=True)
class RunRequest:
    provider: str
    spec: Spec | None  # None only with a snapshot: its arch's default type (functions/api/snapshots.py)
    command: str
    max_duration_ms: int
    spot: bool
    region: str | None  # None only with a snapshot: the snapshot's region
    snapshot: str | None = None  # an AMI id from `repl snapshot create`
    env: dict = field(default_factory=dict)  # NAME -> value for the command: secrets (core/run_env.py)
    workdir: str | None = None  # the sha256 of a synced working directory's archive (POST /v1/workdirs)
    artifacts: list = field(default_factory=list)  # globs: what the agent uploads when the command ends
    max_cost_usd: float | None = None  # the run stops (timed_out) before its instance costs more
    pool: str | None = None  # `--pool NAME`: claim from this pool only
    no_pool: bool = False  # `--no-pool`: a cold launch, whatever pools match
    keep_alive_ms: int | None = None  # `--keep-alive`: the instance stays this long after the command ends
    # `--region a,b` / `--spec x,y` / `--spot-policy`: every choice, in order (region and spec: the first)
    regions: tuple[str, ...] = ()
    specs: tuple[Spec, ...] = ()
    spot_policy: str = choices.ON_DEMAND

    @property
    def choices(self):
        return choices.ordered(list(self.regions or (self.region,)),
                               [s.instance_type for s in self.specs or (self.spec,)], self.spot_policy)


def parse_run_request(body, default_region: str) -> RunRequest:
    if not isinstance(body, dict):
        raise Invalid("body: must be a JSON object with fields " + ", ".join(FIELDS), field="body")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise Invalid(f"{unknown[0]}: unknown field; allowed: {', '.join(FIELDS)}", field=unknown[0])
    snapshot = None if body.get("snapshot") is None else image_id(body["snapshot"], "snapshot")
    specs_ = _specs(body, snapshot)
    regions_ = _regions(body, snapshot)
    spot = _spot(body.get("spot", False))
    return RunRequest(
        provider=_provider(body.get("provider", "aws")),
        spec=specs_[0] if specs_ else None if snapshot and body.get("spec") is None else parse_spec(body.get("spec")),
        command=_command(body.get("command")),
        max_duration_ms=_max_duration(body.get("max_duration_ms", DEFAULT_MAX_DURATION_MS)),
        spot=spot, spot_policy=choices.policy_of(spot, _spot_policy(body.get("spot_policy"))),
        region=regions_[0] if regions_ else _region_or_default(body.get("region"), default_region, snapshot),
        regions=regions_, specs=specs_,
        snapshot=snapshot,
        env=parse_env(body.get("env")),
        workdir=_workdir(body.get("workdir")),
        artifacts=parse_globs(body.get("artifacts")),
        max_cost_usd=_max_cost(body.get("max_cost_usd")),
        pool=None if body.get("pool") is None else pool_name(body["pool"], "pool"),
        no_pool=_flag(body.get("no_pool", False), "no_pool"),
        keep_alive_ms=_keep_alive(body.get("keep_alive_ms")),
    )


def _specs(body: dict, snapshot: str | None) -> tuple[Spec, ...]:
    """`specs`: instance types (or descriptors) tried in order, of one architecture and Ubuntu version."""
    if body.get("specs") is None:
        return ()
    if body.get("spec") is not None:
        raise Invalid("specs: send spec (one) or specs (a list), not both", field="specs")
    if snapshot:
        raise Invalid("specs: a snapshot run takes one spec (of the snapshot's arch); send spec", field="specs")
    specs_ = tuple(parse_spec(text) for text in _list(body["specs"], "specs", "an instance type or distro:version:arch"))
    for other in specs_[1:]:
        if (other.arch, other.version) != (specs_[0].arch, specs_[0].version):
            raise Invalid(f"specs: {other.text} is {other.arch} Ubuntu {other.version} but {specs_[0].text} is "
                          f"{specs_[0].arch} Ubuntu {specs_[0].version}: every choice boots the one image, so "
                          "list types of one architecture", field="specs")
    return specs_


def _regions(body: dict, snapshot: str | None) -> tuple[str, ...]:
    if body.get("regions") is None:
        return ()
    if body.get("region") is not None:
        raise Invalid("regions: send region (one) or regions (a list), not both", field="regions")
    if snapshot:
        raise Invalid("regions: a snapshot is in one region, where its run launches; leave regions out",
                      field="regions")
    return tuple(_region(value, "regions") for value in _list(body["regions"], "regions", "a region, e.g. us-west-2"))


def _list(value, field: str, item: str) -> list:
    if not isinstance(value, list) or not 1 <= len(value) <= choices.MAX_LISTED:
        raise Invalid(f"{field}: must be a list of 1 to {choices.MAX_LISTED} items, each {item}", field=field)
    if len(set(map(repr, value))) != len(value):
        raise Invalid(f"{field}: {next(v for i, v in enumerate(value) if v in value[:i])!r} is listed twice",
                      field=field)
    return value


def _spot_policy(value) -> str | None:
    if value is not None and value not in choices.POLICIES:
        raise Invalid(f"spot_policy: {value!r} is not a spot policy; allowed: {choices.POLICIES_ALLOWED}",
                      field="spot_policy")
    return value


def pool_name(value, field: str = "name") -> str:
    if not isinstance(value, str) or not _POOL_NAME.match(value):
        raise Invalid(f"{field}: {value!r} is not a pool name; allowed: {POOL_NAME_ALLOWED}", field=field)
    return value


def _flag(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{field}: must be true or false", field=field)
    return value


def _region_or_default(value, default_region: str, snapshot: str | None) -> str | None:
    if value is None:  # absent: a snapshot launches in its own region, anything else in the default one
        return None if snapshot else default_region
    return _region(value)  # present but "" / false / 0 is an error, not the default


def _provider(value) -> str:
    if value not in PROVIDERS:
        raise Invalid(f"provider: {value!r} is not supported; allowed: {', '.join(PROVIDERS)}", field="provider")
    return value


def _command(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("command: required, a non-empty shell command", field="command")
    if not is_text(value) or "\0" in value:
        raise Invalid("command: must be UTF-8 text without NUL characters (a shell cannot carry them)",
                      field="command")
    if len(value.encode()) > MAX_COMMAND_BYTES:
        raise Invalid(f"command: longer than {MAX_COMMAND_BYTES} bytes; put it in a script", field="command")
    return value


def _max_duration(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_MAX_DURATION_MS <= value <= MAX_MAX_DURATION_MS:
        raise Invalid(
            f"max_duration_ms: {value!r} is out of range; allowed: an integer number of milliseconds "
            f"from {MIN_MAX_DURATION_MS} to {MAX_MAX_DURATION_MS}",
            field="max_duration_ms",
        )
    return value


def _max_cost(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not MIN_MAX_COST_USD <= value <= MAX_MAX_COST_USD:
        raise Invalid(f"max_cost_usd: {value!r} is out of range; allowed: {MAX_COST_ALLOWED}", field="max_cost_usd")
    return float(value)


def _keep_alive(value) -> int | None:
    """Not checked against max_duration_ms: the deadline bounds the keep when it comes (outcomes.kept_until)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_MAX_DURATION_MS <= value <= MAX_MAX_DURATION_MS:
        raise Invalid(f"keep_alive_ms: {value!r} is out of range; allowed: {KEEP_ALIVE_ALLOWED}", field="keep_alive_ms")
    return value


def _workdir(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"sha256"} or not is_sha256(value["sha256"]):
        raise Invalid('workdir: must be {"sha256": "<64 hex digits>"} of an archive uploaded with '
                      "POST /v1/workdirs", field="workdir")
    return value["sha256"]


def is_text(value: str) -> bool:
    """Whether value can be sent and stored as UTF-8 (a lone surrogate, from JSON's \\ud800, cannot)."""
    try:
        value.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def is_sha256(value) -> bool:
    return isinstance(value, str) and bool(_SHA256.fullmatch(value))


def _spot(value) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"spot: {value!r} is not a boolean; allowed: true, false", field="spot")
    return value


def _region(value, field: str = "region") -> str:
    if not isinstance(value, str) or not _REGION.fullmatch(value):
        raise Invalid(f"{field}: {value!r} is not an AWS region name; allowed: e.g. us-east-1, eu-west-1", field=field)
    return value
