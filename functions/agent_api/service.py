"""What the agent's calls do to the run: registration, events (its heartbeat), logs, status."""
import json

from functions.aws import log_chunks, run_end, run_env, session_key, stepfunctions
from functions.aws.run_start import start_run_event
from functions.core import outcomes, states, tokens
from functions.core.clock import now_ms, parse_iso
from functions.core.errors import Conflict, Forbidden, Invalid, RunCancelled
from functions.core.requests import is_text
from functions.core.records import (AgentEvent, AgentInfo, AgentReport, Instance, Interruption, LogBatch, LogChunk,
                                    LogEntry, Run)
from functions.observability import start_phases
from functions.settings import settings
from functions.store import instances, logs, runs

RETRY_AWAITING_MS = 1_000  # a command or a cancel is on its way (the workflow's fallback): come back soon
# An idle pool agent's calls (every POOL_POLL_MS) mark it alive at most this often: a write per call was
# a third of what an idle instance costs the control plane (bench/cost.py); a claim takes it for dead only
# after 20 s of silence (functions/lifecycle/pool_claims.py)
IDLE_SEEN_EVERY_MS = 5_000
HEARTBEAT_EVERY_MS = 30_000  # SendTaskHeartbeat at most this often (the limit is the run's agent_silent_seconds)
MAX_SEQ = 10 ** 9  # batches per run: far more than a run makes, far under DynamoDB's 38 digits
MAX_BATCH_ENTRIES = 10_000  # per inline batch: each entry is a map in the item
MAX_BATCH_BYTES = 256_000  # of UTF-8 per inline batch: DynamoDB items stop at 400 KB
ATTACHED_MS = 30_000  # a follower read the output this recently: it is attached
STREAMS = ("stdout", "stderr")
SPOT_ACTIONS = ("terminate", "stop", "hibernate")  # IMDS spot/instance-action's `action`


def register(instance: Instance, body) -> dict:
    """The agent is up: it gets its command in this very answer (no timer between the two), the seq its
    output goes on from, and its session credential. Once it polls with that, a restarted agent is
    refused (registered_again); before, a registration after the command started ends the run here."""
    now = now_ms()
    instances.update(instance.instance_key, registered_ms=instance.registered_ms or now, last_seen_ms=now,
                     agent=_agent_info(body), state=states.INST_RUNNING)  # its addresses: CheckRegistration's
    run = runs.get(instance.run_id) if instance.run_id else None  # None: an idle pool instance
    if run and run.started_ms and not run.ended:  # started by this agent before it restarted: that command is gone
        _report(run, AgentReport(exit_code=None, restarted=True))
    return {"instance_key": instance.instance_key, "run_id": instance.run_id, "start_run": _start(run, now),
            "log_seq": logs.last_seq(instance.run_id) if run else 0, "output": settings().output_policy,
            "attached": attached(instance, now), "session_token": _session(instance)}


def _session(instance: Instance) -> str:
    """The registration's session credential: the same one again until it is used (a lost answer)."""
    session_id = instance.session_id or instances.open_session(instance.instance_key, tokens.new_session_id())
    return tokens.session(instance.instance_key, session_id, session_key.get())


def registered_again(instance: Instance) -> None:
    """The boot token shown once its session was in use: the agent restarted, and its command (if it had
    one) is gone; or someone else read the token from the user-data. Either way the run ends now."""
    run = runs.get(instance.run_id) if instance.run_id else None
    if run and not run.ended:
        _report(run, AgentReport(exit_code=None, restarted=True))


def _start(run: Run | None, now: int) -> dict | None:
    """The command, unless the run has ended, started, been cancelled, or is the workflow's to hand over."""
    if run is None or run.ended or run.started_ms or run.cancel_requested or run.deadline_ms is None:
        return None
    if run.start_sent_ms or runs.claim_start(run.run_id, now):  # sent before: its answer was lost, send again
        return start_run_event(run)
    return None


def booted(instance: Instance) -> None:
    """The first fetch of the agent's code: the instance's OS is up and its user-data runs (a phase the
    run's timeline shows, between launched and registered)."""
    if instance.booted_ms is None:
        instances.update(instance.instance_key, booted_ms=now_ms())


def events(instance: Instance, last_event_header: str | None) -> tuple[str, bool]:
    """The SSE body of GET /v1/agent/events (the events after Last-Event-ID, the agent's ack), and
    whether it had nothing for the agent (then a caller that may wait is held until something comes)."""
    last_event_id = _last_event_id(last_event_header)
    now = now_ms()
    fields = {}
    if instance.run_id is not None or now - (instance.last_seen_ms or 0) >= IDLE_SEEN_EVERY_MS:
        fields["last_seen_ms"] = now
    if instance.session_used_ms is None:  # the agent polls with its session: the boot token is spent from now on
        fields["session_used_ms"] = now
    if last_event_id > (instance.acked_event_id or 0):  # handled: the ssh_keys it carried are installed
        fields["acked_event_id"] = last_event_id
    run = runs.get(instance.run_id) if instance.run_id else None
    if run and run.task_token and run.cancel_overdue(now):  # the agent polls, yet has not stopped the command
        stepfunctions.fail(run.task_token, RunCancelled("cancelled by the user (the agent did not stop the "
                                                        "command within the grace period)"))
    elif run and run.task_token and now - (instance.heartbeat_ms or 0) >= HEARTBEAT_EVERY_MS:
        stepfunctions.heartbeat(run.task_token)
        fields["heartbeat_ms"] = now
    if fields:
        instances.update(instance.instance_key, **fields)
    pending = instance.events_after(last_event_id)
    steady = run is None or run.start_sent_ms is not None or run.ended
    retry_ms = settings().agent_poll_ms if steady and not pending else RETRY_AWAITING_MS
    if instance.run_id is None:  # an idle pool instance: a claim's command is handed over at its next call
        retry_ms = settings().pool_poll_ms
    body = sse_body(retry_ms, pending, {"attached": attached(instance, now)})
    return body, not pending


def _last_event_id(header: str | None) -> int:
    text = header or "0"
    if not (text.isascii() and text.isdigit() and len(text) <= 15):  # isdigit alone takes "²"
        raise Invalid("Last-Event-ID: must be a whole number from 0 to 999999999999999", field="Last-Event-ID")
    return int(text)


def sse_body(retry_ms: int, pending: list[AgentEvent], state: dict | None = None) -> str:
    """`retry:`, the pending events with their ids, and `state` (no id: nothing to ack) last."""
    frames = [f"retry: {retry_ms}\n\n"]
    frames += [f"id: {e.event_id}\nevent: {e.type}\ndata: {json.dumps(e.data)}\n\n" for e in pending]
    if state is not None:
        frames.append(f"event: state\ndata: {json.dumps(state)}\n\n")
    return "".join(frames)


def run_environment(instance: Instance) -> dict:
    if instance.run_id is None:
        raise Forbidden("run_id: this pool instance has no run yet", field="run_id")
    return {"run_id": instance.run_id, "env": run_env.load(instance.run_id)}


def store_logs(instance: Instance, body: dict) -> dict:
    """A batch of output, in one of three forms: `entries` inline; `upload` {bytes}: where to PUT a chunk
    (nothing stored yet); `chunk` {bytes, raw_bytes}: the chunk PUT there is the batch. The answer says
    whether a follower is reading (the agent then ships sooner)."""
    seq = body.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        raise Invalid(f"seq: must be an integer from 1 to {MAX_SEQ}", field="seq")
    if "upload" in body:
        return {"upload_url": log_chunks.upload_url(instance.run_id, seq, _chunk_size(body["upload"], "upload"))}
    if "chunk" in body:
        chunk = body["chunk"]
        batch = LogBatch(run_id=instance.run_id, seq=seq, chunk=LogChunk(
            bytes=_chunk_size(chunk, "chunk"), raw_bytes=_chunk_size(chunk, "chunk", "raw_bytes")))
    else:
        batch = LogBatch(run_id=instance.run_id, seq=seq, entries=_entries(body.get("entries")))
    _in_order(instance.run_id, seq)
    logs.put_batch(batch, settings().log_retention_days)
    return {"ok": True, "attached": attached(instance, now_ms())}


def _in_order(run_id: str, seq: int) -> None:
    """seq rises strictly, so a reader past seq N never misses a batch: a batch resent as it was stored
    is fine (stored once); a lower seq not stored yet, a batch that would land behind a reader, is not."""
    last = logs.last_seq(run_id)
    if seq <= last and not logs.exists(run_id, seq):
        raise Conflict(f"seq: {seq} is below the last batch stored ({last}); batches must be numbered in order",
                       field="seq")


def attached(instance: Instance, now: int) -> bool:
    return bool(instance.watched_ms and now - instance.watched_ms < ATTACHED_MS)


def _entries(entries) -> tuple[LogEntry, ...]:
    if not isinstance(entries, list) or not all(_entry_ok(e) for e in entries):
        raise Invalid("entries: must be a list of {stream: stdout|stderr, data: UTF-8 text}", field="entries")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise Invalid(f"entries: a batch holds at most {MAX_BATCH_ENTRIES} entries", field="entries")
    if sum(len(e["data"].encode("utf-8")) for e in entries) > MAX_BATCH_BYTES:
        raise Invalid(f"entries: a batch holds at most {MAX_BATCH_BYTES} bytes of UTF-8; send more as a chunk",
                      field="entries")
    return tuple(LogEntry(stream=e["stream"], data=e["data"]) for e in entries)


def _chunk_size(value, field: str, name: str = "bytes") -> int:
    size = value.get(name) if isinstance(value, dict) else None
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= log_chunks.MAX_CHUNK_BYTES * 20:
        raise Invalid(f"{field}: must be {{\"{name}\": 1 to {log_chunks.MAX_CHUNK_BYTES * 20}}}", field=field)
    if name == "bytes" and size > log_chunks.MAX_CHUNK_BYTES:
        raise Invalid(f"{field}: a chunk holds at most {log_chunks.MAX_CHUNK_BYTES} bytes", field=field)
    return size


def report_status(instance: Instance, body: dict) -> None:
    run_id, status = instance.run_id, body.get("status")
    if status == "started":
        before = runs.get(run_id)
        if runs.advance(run_id, states.RUNNING, started_ms=now_ms()) and before and before.started_ms is None:
            _started(runs.get(run_id), instance)  # the first start (not a resend): its phases, once
    elif status == "exited":
        report = AgentReport(exit_code=_exit_code(body.get("exit_code")), timed_out=body.get("timed_out") is True,
                             cancelled=body.get("cancelled") is True, interrupted=body.get("interrupted") is True)
        _report(runs.get_owned(run_id, instance.owner), report)
    elif status == "interrupted":
        notice = Interruption(action=_spot_action(body.get("action")), at_ms=_notice_time(body.get("time")),
                              reported_ms=now_ms())
        run = runs.get(run_id)
        if run and not run.interruption:  # the first notice is the one that counts
            runs.update(run_id, interruption=notice)
    else:
        raise Invalid(f"status: {status!r} is not one of started, exited, interrupted", field="status")


def _report(run: Run, report: AgentReport) -> None:
    """The command has ended: the run is over for its user at once (its terminal status, which the
    follower reads), while the workflow terminates the instance (Finalize records when EC2 confirms).
    The token is sent on here, or by DispatchRun if it is not stored yet (see workflow/dispatch_run.py)."""
    now = now_ms()  # a report sent again keeps the first one's keep-alive
    kept = run.kept_until_ms if run.agent_report else outcomes.kept_until(run, report, now)
    run = runs.update(run.run_id, agent_report=report, kept_until_ms=kept)
    run_end.finish(run.run_id, *outcomes.from_report(run, report), now)
    if run.task_token:
        stepfunctions.succeed(run.task_token, outcomes.workflow_report(run, now_ms()))


def _started(run: Run | None, instance: Instance) -> None:
    if run:
        start_phases(run.created_ms, run.launched_ms, instance.registered_ms, run.started_ms)


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
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not -2 ** 31 <= value < 2 ** 31):
        raise Invalid("exit_code: must be an integer (a process's exit status) or null", field="exit_code")
    return value


def _entry_ok(entry) -> bool:
    return (isinstance(entry, dict) and entry.get("stream") in STREAMS and isinstance(entry.get("data"), str)
            and is_text(entry["data"]))


def _agent_info(body) -> AgentInfo:
    body = body if isinstance(body, dict) else {}
    return AgentInfo(**{k: str(body[k])[:100] for k in ("hostname", "python", "agent_version") if k in body})
