"""The user API's wire models (docs/protocol.md §1): what each route takes and answers. The resolver
validates both against them (functions/http_errors.resolver) and publishes them at GET /v1/openapi.json.

They hold what JSON Schema can say: types, bounds, patterns, unknown fields refused. What it cannot
(UTF-8 byte limits, the partition's regions, an uploaded archive, a snapshot's region) stays with the
use cases, whose messages say it (functions/core/requests.py...). The answers are the views' JSON
(functions/api/views.py) field for field."""
import re
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from functions.api import ssh_keys, tailscale, workdirs
from functions.aws import regions
from functions.core import artifacts as globs, choices, pools, requests, run_env, snapshots, specs, states
from functions.http import NOT_ALLOWED, Allowed, Answer, Body, Time

Status = Literal[states.ACTIVE_STATUSES + states.TERMINAL_STATUSES]
Arch = Literal[specs.ARCHES]
# Ids in the path: any one may be asked for (unknown: 404), but not longer than any id is
RunId = Annotated[str, Path(max_length=64, description="e.g. r8k2m9xq1d")]
InstanceOrRun = Annotated[str, Path(max_length=64, description="an instance id (i-0abc...) or its run's id")]
SnapshotId = Annotated[str, Path(pattern=snapshots.AMI_ID, description="an AMI id, e.g. ami-0abc123")]
RegionInPath = Annotated[str, Path(pattern=requests.REGION, description="e.g. us-east-1")]
NO_NUL = r"^[^\x00]*$"
SpecText = Annotated[str, Field(pattern=specs.SPEC, max_length=specs.MAX_SPEC_CHARS)]
PoolName = Annotated[str, Field(pattern=requests.POOL_NAME), Allowed(requests.POOL_NAME_ALLOWED)]
PoolNameInPath = Annotated[str, Path(pattern=requests.POOL_NAME, description="a pool's name, e.g. gpu")]
SHA256 = Annotated[str, Field(pattern=requests.SHA256), Allowed("SHA-256: 64 lower-case hex digits")]


class Workdir(Body):
    sha256: SHA256


class CreateRun(Body):
    provider: Annotated[Literal[requests.PROVIDERS], Allowed(", ".join(requests.PROVIDERS))] = "aws"
    spec: Annotated[str, Field(pattern=specs.SPEC, max_length=specs.MAX_SPEC_CHARS), Allowed(specs.ALLOWED)] | None \
        = None  # null or absent: only with a snapshot (its arch's default type)
    command: Annotated[str, Field(min_length=1, max_length=requests.MAX_COMMAND_BYTES, pattern=NO_NUL), Allowed(
        f"a non-empty shell command, at most {requests.MAX_COMMAND_BYTES} bytes of UTF-8, no NUL")]
    max_duration_ms: Annotated[int, Field(ge=requests.MIN_MAX_DURATION_MS, le=requests.MAX_MAX_DURATION_MS), Allowed(
        f"an integer number of milliseconds from {requests.MIN_MAX_DURATION_MS} to {requests.MAX_MAX_DURATION_MS}")] \
        = requests.DEFAULT_MAX_DURATION_MS
    specs: Annotated[list[SpecText],
                     Field(min_length=1, max_length=choices.MAX_LISTED), Allowed(
        f"1 to {choices.MAX_LISTED} specs of one architecture, tried in order (instead of spec)")] | None = None
    spot: Annotated[bool, Allowed("true, false")] = False
    spot_policy: Annotated[Literal[choices.POLICIES], Allowed(choices.POLICIES_ALLOWED)] | None = None
    region: Annotated[str, Field(pattern=requests.REGION), Allowed("e.g. us-east-1, eu-west-1")] | None \
        = None  # absent: the snapshot's, or the deployment's
    regions: Annotated[list[Annotated[str, Field(pattern=requests.REGION)]],
                       Field(min_length=1, max_length=choices.MAX_LISTED), Allowed(
        f"1 to {choices.MAX_LISTED} regions, tried in order (instead of region)")] | None = None
    snapshot: Annotated[str, Field(pattern=snapshots.AMI_ID), Allowed("a snapshot's AMI id, e.g. ami-0abc123")] | None \
        = None
    env: Annotated[dict[Annotated[str, Field(pattern=run_env.NAME_PATTERN)], Annotated[str, Field(pattern=NO_NUL)]],
                   Field(max_length=run_env.MAX_VARIABLES, json_schema_extra={"additionalProperties": False}), Allowed(
        f'{{"NAME": "value"}}: at most {run_env.MAX_VARIABLES} names of letters, digits and _ (not PATH nor '
        f"SKYREPL_*), {run_env.MAX_BYTES} bytes in all")] | None = None
    workdir: Workdir | None = None
    max_cost_usd: Annotated[float, Field(ge=requests.MIN_MAX_COST_USD, le=requests.MAX_MAX_COST_USD), Allowed(
        requests.MAX_COST_ALLOWED)] | None = None
    artifacts: Annotated[list[Annotated[str, Field(min_length=1, max_length=globs.MAX_GLOB_CHARS)]],
                         Field(max_length=globs.MAX_GLOBS), Allowed(
        f'at most {globs.MAX_GLOBS} globs of 1 to {globs.MAX_GLOB_CHARS} bytes, relative, e.g. ["{globs.EXAMPLE}"]')] \
        | None = None
    pool: PoolName | None = None  # absent: any of the caller's pools that matches
    no_pool: Annotated[bool, Allowed("true, false")] = False
    keep_alive_ms: Annotated[int, Field(ge=requests.MIN_MAX_DURATION_MS, le=requests.MAX_MAX_DURATION_MS),
                             Allowed(requests.KEEP_ALIVE_ALLOWED)] | None = None


def publish_run_rules(schema: dict) -> None:
    """What CreateRun's model cannot hold but its document can: the regions (the partition's, known only
    where the function runs: functions/aws/regions.py checks them) and that `spec` may be absent only
    with a snapshot. Clients (and the fuzzer) then send what the API takes."""
    props = schema["properties"]
    named = [props["region"]["anyOf"][0]] + ([props["regions"]["anyOf"][0]["items"]] if "regions" in props else [])
    for region in named:
        region.pop("pattern", None)
        region["enum"] = regions.known()
    # A null is as good as absent: each branch asks for its field as a string (specs: a list).
    schema["anyOf"] = [{"required": [field], "properties": {field: {"type": kind}}}
                       for field, kind in (("spec", "string"), ("specs", "array"), ("snapshot", "string"))
                       if field in props]


class WorkdirOffer(Body):
    sha256: SHA256
    size: Annotated[int, Field(ge=1, le=workdirs.MAX_ARCHIVE_BYTES),
                    Allowed(f"the archive's size in bytes, 1 to {workdirs.MAX_ARCHIVE_BYTES}")]


class CreateSnapshot(Body):
    source: Annotated[str, Field(pattern=snapshots.SOURCE),
                      Allowed("a run id (r8k2m9xq1d) or its instance's id (i-0abc...)")]
    name: Annotated[str, Field(pattern=snapshots.IMAGE_NAME), Allowed(
        "3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _")] | None = None


class InterruptionView(Answer):
    action: Literal["terminate", "stop", "hibernate"]
    at: Time
    reported_at: Time


class ChoiceView(Answer):
    region: str
    instance_type: str
    market: Literal["spot", "on-demand"]


class AttemptView(Answer):
    number: int
    round: int
    region: str
    instance_type: str
    market: Literal["spot", "on-demand"]
    instance_id: str | None
    outcome: Literal[choices.OUTCOMES]
    reason: str | None = Field(description="why it launched nothing: the AWS error")
    started_at: Time


class RunView(Answer):
    run_id: str
    status: Status
    exit_code: int | None
    reason: str | None
    provider: str
    spec: str
    instance_type: str
    arch: Arch
    region: str
    spot: bool
    spot_price: float | None = Field(description="USD per hour")
    price_usd_per_hour: float | None = Field(description="what the instance pays; null: unknown")
    price_source: Literal["spot", "on-demand"] | None
    cost_usd: float | None = Field(description="instance time (60 s minimum) x price; null: unknown")
    max_cost_usd: float | None
    command: str
    max_duration_ms: int
    instance_id: str | None
    snapshot: str | None
    interruption: InterruptionView | None
    env_names: list[str]
    artifacts: list[str]
    created_at: Time
    started_at: Time | None
    ended_at: Time | None
    deadline_at: Time | None
    launched_at: Time | None = Field(description="the launch request: the instance's cost counts from here")
    terminated_at: Time | None
    pool: str | None = Field(description="the pool whose idle instance it ran on (warm); null: launched for it")
    keep_alive_ms: int | None = Field(description="how long the instance stays after the command (--keep-alive)")
    kept_until: Time | None = Field(description="the instance stays until then, its deadline at most (repl ssh)")
    spot_policy: Literal[choices.POLICIES]
    choices: list[ChoiceView] = Field(description="where and how it may launch, in the order it tries them")
    attempts: list[AttemptView] = Field(description="every launch it tried, in order")


class RunAnswer(Answer):
    run: RunView


class RunList(Answer):
    runs: list[RunView]
    next_cursor: str | None


class LogLine(Answer):
    seq: int
    stream: Literal["stdout", "stderr"]
    data: str


class ChunkRef(Answer):
    url: str
    bytes: int
    raw_bytes: int


class ChunkLine(Answer):
    seq: int
    chunk: ChunkRef


class LogPage(Answer):
    entries: list[LogLine | ChunkLine]
    next: int
    run: RunView
    more: bool
    poll_after_ms: int


class ArtifactView(Answer):
    path: str
    size: int
    md5: str | None
    modified_at: Time
    url: str


class ArtifactList(Answer):
    run_id: str
    artifacts: list[ArtifactView]


class InstanceView(Answer):
    instance_id: str | None
    run_id: str | None = Field(description="null: an idle instance of a pool")
    region: str
    instance_type: str
    spot: bool
    spot_price: float | None
    state: Literal[states.REQUESTED, states.INST_PENDING, states.INST_RUNNING, "terminating", states.TERMINATED]
    public_ip: str | None
    tailscale_hostname: str | None
    launched_at: Time | None
    booted_at: Time | None = Field(description="its bootstrap first fetched the agent: the OS was up")
    registered_at: Time | None
    terminated_at: Time | None
    pool: str | None = Field(description="the pool it was launched for; null: launched for its run")


class InstanceList(Answer):
    instances: list[InstanceView]


class TerminatedInstance(Answer):
    instance: InstanceView
    run: RunView


class OrphanView(Answer):
    instance_id: str
    region: str
    state: str
    run_id: str | None
    deadline_at: Time | None
    name: str | None
    seen_at: Time
    action: str


class OrphanList(Answer):
    orphans: list[OrphanView]


class Swept(Answer):
    instance_id: str
    region: str
    reason: str


class Scan(Answer):
    terminated: list[Swept]
    orphans: list[OrphanView]


class CacheCleared(Answer):
    cleared: int


class NewSshKey(Body):
    public_key: Annotated[str, Field(min_length=1, max_length=ssh_keys.MAX_PUBLIC_KEY_CHARS), Allowed(ssh_keys.ALLOWED)]


class SshKeyView(Answer):
    run_id: str
    fingerprint: str = Field(description="SHA256:<base64>, as `ssh-keygen -l` shows it")
    public_key: str = Field(description="<type> <base64>: the comment is not kept")
    added_at: Time
    expires_at: Time = Field(description="the run's deadline or the TTL (12 h) from the last POST, the earlier")
    installed: bool = Field(description="the run's agent has acked the event that carried it")


class SshKeyList(Answer):
    run_id: str
    ssh_keys: list[SshKeyView]


class PrivateKey(Answer):
    region: str
    key_name: str
    private_key: str


class SnapshotView(Answer):
    snapshot_id: str
    name: str
    state: Literal["pending", "available", "failed"]
    region: str
    arch: Arch
    source_run: str
    source_instance: str
    created_at: Time


class SnapshotAnswer(Answer):
    snapshot: SnapshotView


class SnapshotList(Answer):
    snapshots: list[SnapshotView]


class SnapshotDeleted(Answer):
    deleted: str
    snapshot_ids: list[str]


class Health(Answer):
    status: Literal["ok"]
    control_id: str
    version: str
    caller: str
    region: str


class WorkdirUpload(Answer):
    sha256: str
    upload_url: str | None = Field(description="a presigned PUT (15 min); null: that archive is there already")


class StoreTailscale(Body):
    api_key: Annotated[str, Field(description=f"{tailscale.API_KEY_ALLOWED}; never answered", json_schema_extra={
        "pattern": tailscale.API_KEY, "writeOnly": True, "format": "password"})]
    tailnet: Annotated[str, Field(pattern=tailscale.TAILNET, max_length=tailscale.MAX_TAILNET_CHARS),
                       Allowed(tailscale.TAILNET_ALLOWED)]

    @model_validator(mode="before")
    @classmethod
    def _key_not_quoted(cls, data):
        """The key's pattern, checked here rather than by the field: a field's 400 quotes the value it refuses."""
        key = data.get("api_key") if isinstance(data, dict) else None
        if isinstance(key, str) and not re.fullmatch(tailscale.API_KEY, key):
            raise PydanticCustomError(NOT_ALLOWED, "not valid (the value is not shown); allowed: {allowed}",
                                      {"field": "api_key", "allowed": tailscale.API_KEY_ALLOWED})
        return data


class TailscaleSettings(Answer):
    configured: bool = Field(description="both stored: launches join instances to the tailnet")
    tailnet: str | None
    api_key: Literal["stored", "absent"] = Field(description="never the key itself")
    key_id: str | None = Field(description="the stored token's id, as the admin console's Keys page lists it")


IdleTimeout = Annotated[int, Field(ge=pools.MIN_IDLE_TIMEOUT_MS, le=pools.MAX_IDLE_TIMEOUT_MS), Allowed(
    f"milliseconds from {pools.MIN_IDLE_TIMEOUT_MS} to {pools.MAX_IDLE_TIMEOUT_MS}")]
MaxAge = Annotated[int, Field(ge=pools.MIN_MAX_AGE_MS, le=pools.MAX_MAX_AGE_MS), Allowed(
    f"milliseconds from {pools.MIN_MAX_AGE_MS} to {pools.MAX_MAX_AGE_MS}")]
PoolSize = Annotated[int, Field(ge=0, le=pools.MAX_POOL_SIZE), Allowed(f"an integer from 0 to {pools.MAX_POOL_SIZE}")]


class CreatePool(Body):
    name: PoolName
    spec: Annotated[str, Field(pattern=specs.SPEC, max_length=specs.MAX_SPEC_CHARS), Allowed(specs.ALLOWED)] | None \
        = None  # null or absent: only with a snapshot (its arch's default type)
    size: PoolSize
    spot: Annotated[bool, Allowed("true, false")] = False
    region: Annotated[str, Field(pattern=requests.REGION), Allowed("e.g. us-east-1, eu-west-1")] | None = None
    snapshot: Annotated[str, Field(pattern=snapshots.AMI_ID), Allowed("a snapshot's AMI id, e.g. ami-0abc123")] | None \
        = None
    idle_timeout_ms: IdleTimeout = pools.DEFAULT_IDLE_TIMEOUT_MS
    max_age_ms: MaxAge = pools.DEFAULT_MAX_AGE_MS


class ResizePool(Body):
    size: PoolSize


class PoolInstanceView(Answer):
    instance_id: str | None
    state: Literal[states.REQUESTED, states.INST_PENDING, states.INST_RUNNING, "terminating", states.TERMINATED]
    run_id: str | None = Field(description="the run that claimed it; null: idle, or booting")
    registered_at: Time | None
    expires_at: Time = Field(description="idle: replaced at this time (max age); claimed: its run's deadline")


class PoolView(Answer):
    name: str
    state: Literal["active", "dormant", "deleting"] = Field(
        description="dormant: unused for its idle timeout, it keeps no instance until a run matches it")
    spec: str
    instance_type: str
    region: str
    spot: bool
    snapshot: str | None
    size: int
    idle: int = Field(description="registered and unclaimed: a matching run starts on one at once")
    booting: int
    claimed: int = Field(description="taken by runs: each ends with its run, and is replaced")
    idle_timeout_ms: int
    max_age_ms: int
    price_usd_per_hour: float | None = Field(description="one instance's; null: not known yet")
    idle_cost_usd_per_hour: float | None = Field(description="what its unclaimed instances cost per hour")
    created_at: Time
    used_at: Time
    instances: list[PoolInstanceView]


class PoolAnswer(Answer):
    pool: PoolView


class PoolList(Answer):
    pools: list[PoolView]
