"""What the agent's calls do to the run: registration, events (its heartbeat), logs, status."""
import dataclasses
import json

from functions.aws import run_env, stepfunctions
from functions.core import states
from functions.core.clock import now_ms, parse_iso
from functions.core.errors import Invalid, RunCancelled
from functions.core.records import AgentEvent, AgentInfo, AgentReport, Instance, Interruption, LogBatch, LogEntry
from functions.settings import settings
from functions.store import instances, logs, runs

RETRY_AWAITING_MS = 1_000  # a command is expected soon: come back quickly
RETRY_RUNNING_MS = 5_000  # steady: each call is a Lambda invocation and a heartbeat
HEARTBEAT_EVERY_MS = 30_000  # SendTaskHeartbeat at most this often (the limit is the run's agent_silent_seconds)
MAX_BATCH_CHARS = 256_000  # DynamoDB items stop at 400 KB
STREAMS = ("stdout", "stderr")
SPOT_ACTIONS = ("terminate", "stop", "hibernate")  # IMDS spot/instance-action's `action`


def register(instance: Instance, body) -> dict:
    now = now_ms()
    instances.update(instance.instance_key, registered_ms=instance.registered_ms or now, last_seen_ms=now,
                     agent=_agent_info(body))
    return {"instance_key": instance.instance_key, "run_id": instance.run_id}


def events(instance: Instance, last_event_header: str | None) -> str:
    """The SSE body of GET /v1/agent/events: the events after Last-Event-ID (the agent's ack)."""
    last_event_id = _last_event_id(last_event_header)
    now = now_ms()
    fields = {"last_seen_ms": now}
    run = runs.get(instance.run_id)
    if run and run.task_token and run.cancel_overdue(now):  # the agent polls, yet has not stopped the command
        stepfunctions.fail(run.task_token, RunCancelled("cancelled by the user (the agent did not stop the "
                                                        "command within the grace period)"))
    elif run and run.task_token and now - (instance.heartbeat_ms or 0) >= HEARTBEAT_EVERY_MS:
        stepfunctions.heartbeat(run.task_token)
        fields["heartbeat_ms"] = now
    instances.update(instance.instance_key, **fields)
    pending = instance.events_after(last_event_id)
    steady = run is None or run.status == states.RUNNING or run.ended
    return sse_body(RETRY_RUNNING_MS if steady and not pending else RETRY_AWAITING_MS, pending)


def _last_event_id(header: str | None) -> int:
    if not (header or "0").isdigit():
        raise Invalid("Last-Event-ID: must be a non-negative integer", field="Last-Event-ID")
    return int(header or "0")


def sse_body(retry_ms: int, pending: list[AgentEvent]) -> str:
    frames = [f"retry: {retry_ms}\n\n"]
    frames += [f"id: {e.event_id}\nevent: {e.type}\ndata: {json.dumps(e.data)}\n\n" for e in pending]
    return "".join(frames)


def run_environment(instance: Instance) -> dict:
    return {"run_id": instance.run_id, "env": run_env.load(instance.run_id)}


def store_logs(instance: Instance, body: dict) -> None:
    seq, entries = body.get("seq"), body.get("entries")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise Invalid("seq: must be an integer from 1", field="seq")
    if not isinstance(entries, list) or not all(_entry_ok(e) for e in entries):
        raise Invalid("entries: must be a list of {stream: stdout|stderr, data: text}", field="entries")
    if sum(len(e["data"]) for e in entries) > MAX_BATCH_CHARS:
        raise Invalid(f"entries: a batch holds at most {MAX_BATCH_CHARS} characters", field="entries")
    batch = LogBatch(run_id=instance.run_id, seq=seq,
                     entries=tuple(LogEntry(stream=e["stream"], data=e["data"]) for e in entries))
    logs.put_batch(batch, settings().log_retention_days)


def report_status(instance: Instance, body: dict) -> None:
    run_id, status = instance.run_id, body.get("status")
    if status == "started":
        runs.advance(run_id, states.RUNNING, started_ms=now_ms())
    elif status == "exited":
        report = AgentReport(exit_code=_exit_code(body.get("exit_code")), timed_out=body.get("timed_out") is True,
                             cancelled=body.get("cancelled") is True, interrupted=body.get("interrupted") is True)
        run = runs.update(run_id, agent_report=report)
        if run.task_token:
            stepfunctions.succeed(run.task_token, dataclasses.asdict(report))
    elif status == "interrupted":
        notice = Interruption(action=_spot_action(body.get("action")), at_ms=_notice_time(body.get("time")),
                              reported_ms=now_ms())
        run = runs.get(run_id)
        if run and not run.interruption:  # the first notice is the one that counts
            runs.update(run_id, interruption=notice)
    else:
        raise Invalid(f"status: {status!r} is not one of started, exited, interrupted", field="status")


def _spot_action(value) -> str:
    if value not in SPOT_ACTIONS:
        raise Invalid(f"action: {value!r} is not one of {', '.join(SPOT_ACTIONS)}", field="action")
    return value


def _notice_time(value) -> int:
    """When the instance goes, as IMDS said ("2026-11-26T12:00:00Z"), in epoch ms."""
    if isinstance(value, str) and len(value) <= 40:
        try:
            return parse_iso(value)
        except (ValueError, TypeError, OverflowError):  # TypeError: a time without a zone
            pass
    raise Invalid(f"time: {value!r} is not an ISO 8601 UTC time such as 2026-11-26T12:00:00Z", field="time")


def _exit_code(value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise Invalid("exit_code: must be an integer or null", field="exit_code")
    return value


def _entry_ok(entry) -> bool:
    return isinstance(entry, dict) and entry.get("stream") in STREAMS and isinstance(entry.get("data"), str)


def _agent_info(body) -> AgentInfo:
    body = body if isinstance(body, dict) else {}
    return AgentInfo(**{k: str(body[k])[:100] for k in ("hostname", "python", "agent_version") if k in body})
