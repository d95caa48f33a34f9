"""The records that cross layers, one name per concept, units in the names.

Times are epoch milliseconds (`*_ms`) inside the control plane and UTC ISO-8601 strings (`*_at`)
on the wire; durations carry their unit (`*_ms`, `*_seconds`). Only functions/store turns these
into DynamoDB items and back; only the API layer (functions/api/views.py) turns them into JSON.
"""
from dataclasses import dataclass, field

from functions.core import states


@dataclass(frozen=True)
class RunTimings:
    """The waits a run's workflow and agent keep to, fixed at its creation (the execution's input)."""

    boot_poll_seconds: int  # between two looks at whether the agent has registered
    boot_timeout_seconds: int  # launch to registration, at most
    agent_silent_seconds: int  # no word from the agent this long: it is lost (the workflow's heartbeat)
    cancel_grace_seconds: int  # cancel to a forced end: the agent's SIGTERM grace, a poll and a flush


@dataclass(frozen=True)
class AgentReport:
    """The agent's `exited` status: the command's exit code, or why the agent killed it."""

    exit_code: int | None
    timed_out: bool = False
    cancelled: bool = False
    interrupted: bool = False
    restarted: bool = False  # the agent came back after a restart: the command it ran is gone


@dataclass(frozen=True)
class Interruption:
    """A spot interruption notice, as the agent read it from IMDS."""

    action: str  # terminate | stop | hibernate
    at_ms: int  # when EC2 said it would reclaim the instance
    reported_ms: int


@dataclass(frozen=True)
class Choice:
    """Where and how a run may launch: one region, one instance type, one market (functions/core/choices.py)."""

    region: str
    instance_type: str
    spot: bool

    @property
    def market(self) -> str:
        return "spot" if self.spot else "on-demand"


@dataclass(frozen=True)
class Attempt:
    """One launch a run tried, in order: of which choice, in which round, and how it went."""

    number: int  # 1, 2, ...: its place in the run's attempts
    round: int  # 1 + the back-offs before it (every choice once per round)
    choice: int  # its index in the run's choices
    region: str
    instance_type: str
    spot: bool
    started_ms: int
    outcome: str  # functions/core/choices.py: launching, launched, capacity, quota, denied, failed
    instance_key: str | None = None  # its instance record (written before RunInstances)
    instance_id: str | None = None
    reason: str | None = None  # why it did not launch: the AWS error, as the user reads it

    @property
    def market(self) -> str:
        return "spot" if self.spot else "on-demand"


@dataclass(frozen=True)
class Run:
    run_id: str
    owner: str
    status: str
    provider: str
    spec: str
    instance_type: str
    arch: str
    version: str
    region: str
    spot: bool
    command: str
    max_duration_ms: int
    created_ms: int
    timings: RunTimings
    # Max-duration counts from the launch request (when the user starts paying): set by Provision just
    # before RunInstances, and from then on the one deadline of the tag, the agent and the workflow.
    deadline_ms: int | None = None
    snapshot: str | None = None  # the AMI id of a snapshot to launch from (`repl run --snapshot`)
    image_id: str | None = None  # the image to launch, when it is not Canonical's (a snapshot)
    request_hash: str | None = None  # the create request's fingerprint, with an Idempotency-Key
    env_names: tuple[str, ...] = ()  # the values are secrets: only in SSM, until teardown
    workdir_sha256: str | None = None
    workdir_key: str | None = None  # the synced working directory's archive in S3
    artifacts: tuple[str, ...] = ()  # globs: what the agent uploads when the command ends
    execution_arn: str | None = None
    instance_key: str | None = None
    instance_id: str | None = None
    spot_price: float | None = None  # USD per hour, looked up just before a spot launch
    max_cost_usd: float | None = None  # `--max-cost`: the deadline is shortened to keep under it (Provision)
    price_usd_per_hour: float | None = None  # what the instance pays, recorded by Provision; None: unknown
    price_source: str | None = None  # "spot" (spot_price) or "on-demand" (the price list's)
    launched_ms: int | None = None  # the launch request (RunInstances): the instance's time starts here
    start_sent_ms: int | None = None  # the command handed to the agent (at its registration, or by the workflow)
    started_ms: int | None = None
    ended_ms: int | None = None
    terminated_ms: int | None = None  # EC2 confirmed every instance of the run shutting down
    exit_code: int | None = None
    reason: str | None = None
    cancel_requested_ms: int | None = None
    task_token: str | None = None  # AwaitCompletion's, while it waits
    watched_ms: int | None = None  # a follower last read the run's output (its agent then ships it sooner)
    agent_report: AgentReport | None = None
    interruption: Interruption | None = None
    pool: str | None = None  # `--pool NAME`: only this pool; None: any of the owner's pools that matches
    no_pool: bool = False  # `--no-pool`: always a cold launch
    warm_pool: str | None = None  # the pool whose idle instance it claimed (it ran warm); None: launched cold
    keep_alive_ms: int | None = None  # `--keep-alive`: how long the instance stays after the command ends
    kept_until_ms: int | None = None  # set at the command's end when it stays: then the workflow's Kept state
    keep_token: str | None = None  # the Kept state's task token, while it waits (workflow/keep_instance.py)
    release_requested_ms: int | None = None  # `repl instance terminate`: the kept instance goes now
    webhook_due_ms: int | None = None  # its run-end webhook not delivered yet: the sweeper tries again then
    webhook_attempts: int = 0
    # `--region a,b` / `--spec x,y` / `--spot-policy auto`: what it may launch, in order (choices.py); the
    # fields region, instance_type and spot above are those of the choice it launches on (or tries) now
    choices: tuple[Choice, ...] = ()
    spot_policy: str | None = None  # spot, on-demand or auto; None: `spot` alone says (spot or on-demand)
    attempts: tuple[Attempt, ...] = ()  # every launch tried, in order (Provision)

    @property
    def options(self) -> tuple[Choice, ...]:
        """Its choices; a record made without them has one: its region, type and market."""
        return self.choices or (Choice(self.region, self.instance_type, self.spot),)

    @property
    def ended(self) -> bool:
        return states.is_terminal(self.status)

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_requested_ms is not None

    def kept(self, now_ms: int) -> bool:
        """The command has ended and its instance stays for the user (`--keep-alive`), not released yet."""
        return (self.ended and self.kept_until_ms is not None and now_ms < self.kept_until_ms
                and self.release_requested_ms is None)

    def cancel_overdue(self, now_ms: int) -> bool:
        """A cancel asked for longer ago than the run's grace (its agent's chance to stop the command
        and ship its last output), on a run that has not ended: time to force the end."""
        return (self.cancel_requested_ms is not None and not self.ended
                and now_ms - self.cancel_requested_ms > 1000 * self.timings.cancel_grace_seconds)


@dataclass(frozen=True)
class AgentInfo:
    hostname: str | None = None
    python: str | None = None
    agent_version: str | None = None


@dataclass(frozen=True)
class AgentEvent:
    """What the control plane has for an agent (start_run, cancel_run); ids 1, 2, 3... per instance."""

    event_id: int
    type: str
    data: dict


@dataclass(frozen=True)
class SshKey:
    """A user's public key for one run's instance (POST /v1/runs/{id}/ssh-keys): public, so kept as it is."""

    public_key: str  # "<type> <base64>": the comment is dropped (the agent writes its own marker)
    fingerprint: str  # SHA256:<base64, unpadded>, as ssh-keygen -l shows it
    added_ms: int
    expires_ms: int  # the run's deadline or the TTL, whichever comes first
    event_id: int  # the ssh_keys event that last carried it: installed once the agent acks that id


@dataclass(frozen=True)
class Pool:
    """`repl pool create`: instances of one spec kept booted, their agents registered and idle, for the
    owner's runs that match (functions/lifecycle/pool_keeper.py). Named per owner; its id tells one pool of a name from
    the next one created after a delete."""

    owner: str
    name: str
    pool_id: str
    spec: str
    instance_type: str
    arch: str
    version: str
    region: str
    spot: bool
    size: int
    idle_timeout_ms: int  # unused this long (no claim, create or resize), the pool empties until its next use
    max_age_ms: int  # an instance idle this long after its launch is replaced (its skyrepl:deadline tag)
    created_ms: int
    used_ms: int  # the last claim, create or resize: the idle timeout counts from here
    snapshot: str | None = None  # an AMI id: its instances boot from it (runs must name it too)
    image_id: str | None = None
    price_usd_per_hour: float | None = None  # one instance's (on-demand list price, or spot price at creation)
    deleting_ms: int | None = None  # `repl pool delete`: no run claims from it; gone once its idle instances are
    lease_until_ms: int | None = None  # one keeper at a time (functions/store/pools.py lease)
    wanted_ms: int | None = None  # a keep was asked for (by the API, or while another keeper held the lease)
    kept_ms: int | None = None  # the last keep's end: a keep asked for is done once this is past wanted_ms

    @property
    def deleting(self) -> bool:
        return self.deleting_ms is not None

    def dormant(self, now: int) -> bool:
        """Unused for its idle timeout: it keeps no instance (and costs nothing) until a run matches it."""
        return now >= self.used_ms + self.idle_timeout_ms

    def target(self, now: int) -> int:
        return 0 if self.deleting or self.dormant(now) else self.size


@dataclass(frozen=True)
class Instance:
    """The record of an instance we launch, written before RunInstances (two-phase spawn). A pool's
    instance has no run until one claims it (functions/lifecycle/pool_claims.py)."""

    instance_key: str
    run_id: str | None
    owner: str
    region: str
    instance_type: str
    spot: bool
    state: str
    created_ms: int
    deadline_ms: int
    token_hashes: tuple[str, ...] = ()  # SHA-256 of each boot token minted for it (a retried launch mints another)
    session_id: str | None = None  # its registration's session (functions/core/tokens.py)
    session_used_ms: int | None = None  # its agent first polled events with the session: the boot token is spent
    instance_id: str | None = None
    launched_ms: int | None = None
    booted_ms: int | None = None  # its bootstrap first fetched the agent (GET /v1/agent/code): the OS is up
    registered_ms: int | None = None
    last_seen_ms: int | None = None  # the agent's last call
    heartbeat_ms: int | None = None  # the last SendTaskHeartbeat its calls made
    terminated_ms: int | None = None
    public_ip: str | None = None
    private_ip: str | None = None
    spot_price: float | None = None
    tailscale_hostname: str | None = None
    watched_ms: int | None = None  # a follower last read the run's output (the agent API reads it with the token)
    agent: AgentInfo | None = None
    events: tuple[AgentEvent, ...] = ()
    ssh_keys: tuple[SshKey, ...] = ()  # the run owner's keys, as last sent to the agent (ssh_keys event)
    next_event_id: int | None = None  # the last event id given out (functions/store/instances.py)
    acked_event_id: int | None = None  # the highest Last-Event-ID its agent has sent (the events it handled)
    pool_id: str | None = None  # the pool it was launched for (the by_pool index)
    pool_name: str | None = None
    spot_request_id: str | None = None  # a spot pool's persistent request: cancelled before the instance ends
    claimed_ms: int | None = None  # a run took it from its pool

    @property
    def gone(self) -> bool:
        return self.state == states.TERMINATED

    def events_after(self, last_event_id: int) -> list[AgentEvent]:
        return sorted((e for e in self.events if e.event_id > last_event_id), key=lambda e: e.event_id)


@dataclass(frozen=True)
class LogEntry:
    stream: str  # stdout | stderr
    data: str


@dataclass(frozen=True)
class LogChunk:
    """A batch too big to keep inline: gzip of its entries' JSON, in S3 (functions/aws/log_chunks.py)."""

    bytes: int  # as stored (compressed)
    raw_bytes: int  # the output's UTF-8 bytes


@dataclass(frozen=True)
class LogBatch:
    """One of the agent's numbered batches of output: its entries inline, or a chunk in S3."""

    run_id: str
    seq: int
    entries: tuple[LogEntry, ...] = ()
    chunk: LogChunk | None = None


@dataclass(frozen=True)
class Snapshot:
    """An AMI of a run's instance; its id is the AMI id."""

    snapshot_id: str
    owner: str
    name: str
    state: str
    region: str
    arch: str
    source_run: str
    source_instance: str
    created_ms: int
    ebs_snapshot_ids: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Orphan:
    """An instance of ours that no run record accounts for, as the sweeper last saw it."""

    instance_id: str
    region: str
    state: str
    action: str  # what the sweeper did about it
    seen_ms: int
    run_id: str | None = None
    deadline_ms: int | None = None
    name: str | None = None
