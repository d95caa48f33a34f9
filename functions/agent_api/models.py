"""The agent API's wire models (docs/protocol.md §2): what each route takes and answers, validated both
ways by the resolver (functions/http_errors.resolver) and published at GET /v1/agent/openapi.json.

As for the user API (functions/api/models.py): what JSON Schema can say is here; what it cannot (a
batch's UTF-8 bytes, seq order, which fields a status needs, a notice's time) stays with the service."""
from typing import Annotated, Literal

from pydantic import Field

from functions.agent_api import service
from functions.aws.log_chunks import MAX_CHUNK_BYTES
from functions.core import artifacts as files
from functions.http import Allowed, Answer, Body

RunId = Annotated[str, Field(max_length=64), Allowed("the instance's own run id (403 otherwise)")]
MAX_CHUNK = f"1 to {MAX_CHUNK_BYTES}"


class Registration(Body):
    hostname: str | None = None
    python: str | None = None
    agent_version: str | None = None


class Archive(Answer):
    url: str
    sha256: str


class StartRun(Answer):
    """The `start_run` event's data: the command to run, and how."""

    run_id: str
    command: str
    deadline_ms: int | None
    spot: bool
    keep_alive: bool = Field(description="true: the instance stays after the command (its SSH keys too)")
    env: bool = Field(description="true: read the values from GET /v1/agent/env")
    artifacts: list[str]
    archive: Archive | None


class OutputPolicy(Answer):
    attached_ms: int
    detached_ms: int
    inline_bytes: int
    chunk_bytes: int


class Registered(Answer):
    instance_key: str
    run_id: str | None = Field(description="null: an idle pool instance (its run comes as a start_run event)")
    start_run: StartRun | None
    log_seq: int = Field(description="the last batch stored: the agent's numbering goes on from it")
    output: OutputPolicy
    attached: bool
    session_token: str = Field(description=(
        "the credential of every later call, to be held in memory only: once the agent has polled its "
        "events with it, the boot token is refused"))


class RunEnvironment(Answer):
    run_id: str
    env: dict[str, str]


class LogLine(Body):
    stream: Literal[service.STREAMS]
    data: str


class ChunkSize(Body):
    bytes: Annotated[int, Field(ge=1, le=MAX_CHUNK_BYTES, description="compressed")]


class StoredChunk(ChunkSize):
    raw_bytes: Annotated[int, Field(ge=1, le=MAX_CHUNK_BYTES * 20, description="the output's UTF-8 bytes")]


class LogBatch(Body):
    """One batch, in one of three forms: `entries` inline; `upload` (where to PUT a chunk); `chunk` (it is PUT)."""

    run_id: RunId
    seq: Annotated[int, Field(ge=1, le=service.MAX_SEQ), Allowed(f"an integer from 1 to {service.MAX_SEQ}, rising")]
    entries: Annotated[list[LogLine], Field(max_length=service.MAX_BATCH_ENTRIES), Allowed(
        f"a list of {{stream: stdout|stderr, data: UTF-8 text}}, at most {service.MAX_BATCH_ENTRIES} entries and "
        f"{service.MAX_BATCH_BYTES} bytes of UTF-8")] | None = None
    upload: Annotated[ChunkSize, Allowed(f'{{"bytes": {MAX_CHUNK}}}')] | None = None
    chunk: Annotated[StoredChunk, Allowed(f'{{"bytes": {MAX_CHUNK}, "raw_bytes": 1 to {MAX_CHUNK_BYTES * 20}}}')] \
        | None = None


class Stored(Answer):
    ok: Literal[True]
    attached: bool = Field(description="a follower reads the output now: ship sooner")


class UploadUrl(Answer):
    upload_url: str


class StatusReport(Body):
    run_id: RunId
    status: Annotated[Literal["started", "exited", "interrupted"], Allowed("started, exited, interrupted")]
    exit_code: Annotated[int, Field(ge=-2 ** 31, lt=2 ** 31), Allowed("an integer (a process's exit status) or null")] \
        | None = None
    timed_out: bool = False  # exited: why the agent killed the command (exit_code null)
    cancelled: bool = False
    interrupted: bool = False
    action: Annotated[Literal[service.SPOT_ACTIONS], Allowed(", ".join(service.SPOT_ACTIONS))] | None = None
    time: Annotated[str, Field(max_length=40), Allowed("an ISO 8601 time with a zone, e.g. 2026-11-26T12:00:00Z")] \
        | None = None  # action and time: an interruption notice's


class Ok(Answer):
    ok: Literal[True]


class FileOffer(Body):
    path: Annotated[str, Field(min_length=1, max_length=files.MAX_PATH_BYTES, description=(
        f"relative, no `..`, at most {files.MAX_PATH_BYTES} bytes of UTF-8"))]
    size: Annotated[int, Field(ge=0, le=files.MAX_FILE_BYTES)]


class ArtifactOffer(Body):
    run_id: RunId
    files: Annotated[list[FileOffer], Field(min_length=1, max_length=files.MAX_FILES), Allowed(
        f"1 to {files.MAX_FILES} of {{path, size}}: each path relative, at most {files.MAX_PATH_BYTES} bytes, "
        f"each size 0 to {files.MAX_FILE_BYTES}")]


class Upload(Answer):
    path: str
    url: str


class Uploads(Answer):
    uploads: list[Upload]
