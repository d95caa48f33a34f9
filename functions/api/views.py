"""The API's JSON view of each record (docs/protocol.md): the wire's names, times as ISO-8601 `*_at`.

The CLI's tests build their fake control plane's answers with these same functions, so the two
cannot drift apart.
"""
from functions.core import choices, costs
from functions.core.clock import iso, now_ms
from functions.core.records import Attempt, Instance, Interruption, LogBatch, Orphan, Pool, Run, Snapshot


def run_view(run: Run) -> dict:
    return {
        "run_id": run.run_id, "status": run.status, "exit_code": run.exit_code, "reason": run.reason,
        "provider": run.provider, "spec": run.spec, "instance_type": run.instance_type, "arch": run.arch,
        "region": run.region, "spot": run.spot, "spot_price": run.spot_price,
        "price_usd_per_hour": run.price_usd_per_hour, "price_source": run.price_source,
        "cost_usd": _rounded(costs.run_cost_usd(run, now_ms())), "max_cost_usd": run.max_cost_usd, "command": run.command,
        "max_duration_ms": run.max_duration_ms, "instance_id": run.instance_id, "snapshot": run.snapshot,
        "interruption": interruption_view(run.interruption), "env_names": list(run.env_names),
        "artifacts": list(run.artifacts), "created_at": iso(run.created_ms), "started_at": iso(run.started_ms),
        "ended_at": iso(run.ended_ms), "deadline_at": iso(run.deadline_ms), "launched_at": iso(run.launched_ms),
        "terminated_at": iso(run.terminated_ms),  # EC2 confirmed the instance shutting down
        "pool": run.warm_pool,
        "keep_alive_ms": run.keep_alive_ms, "kept_until": iso(run.kept_until_ms),
        "spot_policy": run.spot_policy or choices.policy_of(run.spot, None),
        "choices": [{"region": c.region, "instance_type": c.instance_type, "market": c.market} for c in run.options],
        "attempts": [attempt_view(a) for a in run.attempts],
    }


def attempt_view(attempt: Attempt) -> dict:
    return {"number": attempt.number, "round": attempt.round, "region": attempt.region,
            "instance_type": attempt.instance_type, "market": attempt.market, "instance_id": attempt.instance_id,
            "outcome": attempt.outcome, "reason": attempt.reason, "started_at": iso(attempt.started_ms)}


def _rounded(usd: float | None) -> float | None:
    return None if usd is None else round(usd, 6)


def interruption_view(notice: Interruption | None) -> dict | None:
    if notice is None:
        return None
    return {"action": notice.action, "at": iso(notice.at_ms), "reported_at": iso(notice.reported_ms)}


def instance_view(instance: Instance) -> dict:
    return {"instance_id": instance.instance_id, "run_id": instance.run_id, "region": instance.region,
            "instance_type": instance.instance_type, "spot": instance.spot, "spot_price": instance.spot_price,
            "state": instance.state, "public_ip": instance.public_ip, "tailscale_hostname": instance.tailscale_hostname,
            "launched_at": iso(instance.launched_ms), "booted_at": iso(instance.booted_ms),
            "registered_at": iso(instance.registered_ms),
            "terminated_at": iso(instance.terminated_ms), "pool": instance.pool_name}


def pool_view(pool: Pool, members: list[Instance], now: int) -> dict:
    """Its instances by what they do now; the idle cost is what the unclaimed ones pay per hour (a claimed
    one is its run's cost)."""
    unclaimed = [m for m in members if m.run_id is None]
    idle = sum(m.registered_ms is not None for m in unclaimed)
    price = pool.price_usd_per_hour
    return {"name": pool.name, "state": "deleting" if pool.deleting else "dormant" if pool.dormant(now) else "active",
            "spec": pool.spec, "instance_type": pool.instance_type, "region": pool.region, "spot": pool.spot,
            "snapshot": pool.snapshot, "size": pool.size, "idle": idle, "booting": len(unclaimed) - idle,
            "claimed": len(members) - len(unclaimed), "idle_timeout_ms": pool.idle_timeout_ms,
            "max_age_ms": pool.max_age_ms, "price_usd_per_hour": price,
            "idle_cost_usd_per_hour": None if price is None else round(price * len(unclaimed), 6),
            "created_at": iso(pool.created_ms), "used_at": iso(pool.used_ms),
            "instances": [{"instance_id": m.instance_id, "state": m.state, "run_id": m.run_id,
                           "registered_at": iso(m.registered_ms), "expires_at": iso(m.deadline_ms)} for m in members]}


def snapshot_view(snapshot: Snapshot) -> dict:
    return {"snapshot_id": snapshot.snapshot_id, "name": snapshot.name, "state": snapshot.state,
            "region": snapshot.region, "arch": snapshot.arch, "source_run": snapshot.source_run,
            "source_instance": snapshot.source_instance, "created_at": iso(snapshot.created_ms)}


def log_entries(batches: list[LogBatch], chunk_url) -> list[dict]:
    """Batches flattened into entries, each with its batch's seq (the cursor the CLI sends back); a
    batch kept in S3 is one entry `{"seq", "chunk": {"url", "bytes", "raw_bytes"}}` (gzip of its
    entries' JSON at that presigned URL), which the follower fetches itself."""
    out = []
    for b in batches:
        if b.chunk:
            out.append({"seq": b.seq, "chunk": {"url": chunk_url(b.run_id, b.seq), "bytes": b.chunk.bytes,
                                                "raw_bytes": b.chunk.raw_bytes}})
        out += [{"seq": b.seq, "stream": e.stream, "data": e.data} for e in b.entries]
    return out


def orphan_view(orphan: Orphan) -> dict:
    return {"instance_id": orphan.instance_id, "region": orphan.region, "state": orphan.state,
            "run_id": orphan.run_id, "deadline_at": iso(orphan.deadline_ms), "name": orphan.name,
            "seen_at": iso(orphan.seen_ms), "action": orphan.action}
