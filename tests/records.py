"""Records (functions/core/records.py) with every required field filled in, for tests to vary."""
import dataclasses

from functions.core import states
from functions.core.clock import now_ms
from functions.core.records import Instance, Run, RunTimings

HOUR_MS = 3_600_000
TIMINGS = RunTimings(boot_poll_seconds=5, boot_timeout_seconds=600, agent_silent_seconds=180, cancel_grace_seconds=30)


def make_run(run_id: str = "r1", **fields) -> Run:
    created = fields.pop("created_ms", now_ms())
    run = Run(run_id=run_id, owner="arn:aws:iam::123456789012:user/alice", status=states.PENDING, provider="aws",
              spec="ubuntu:noble:amd64", instance_type="t3.micro", arch="amd64", version="noble",
              region="us-east-1", spot=False, command="echo hi", max_duration_ms=HOUR_MS, created_ms=created,
              deadline_ms=created + HOUR_MS, timings=TIMINGS)
    return dataclasses.replace(run, **fields)


def make_instance(instance_key: str = "k1", **fields) -> Instance:
    instance = Instance(instance_key=instance_key, run_id="r1", owner="arn:aws:iam::123456789012:user/alice",
                        region="us-east-1", instance_type="t3.micro", spot=False, state=states.REQUESTED,
                        created_ms=now_ms(), deadline_ms=now_ms() + HOUR_MS)
    return dataclasses.replace(instance, **fields)
