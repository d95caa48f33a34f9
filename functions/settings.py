"""Every environment variable a Lambda reads, parsed once. Infra sets them; local/ sets them too."""
import os
from dataclasses import dataclass
from functools import lru_cache

from functions.store.schema import INSTANCES, KV, LOGS, RUNS, SNAPSHOTS


@dataclass(frozen=True)
class Settings:
    runs_table: str
    instances_table: str
    logs_table: str
    kv_table: str
    snapshots_table: str
    state_machine_arn: str
    control_id: str
    api_url: str  # the URL agents call back on
    default_region: str
    boot_poll_seconds: int
    boot_timeout_seconds: int
    agent_lost_seconds: int
    cancel_grace_seconds: int  # cancel_run to a forced stop: the agent's SIGTERM grace, a poll and a flush
    log_retention_days: int
    sweeper_function: str  # `repl orphan scan` invokes it
    run_files_bucket: str  # synced working directories in, artifacts out (functions/aws/workdirs.py, artifacts.py)


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    return Settings(
        runs_table=env.get(RUNS.env_var, ""),
        instances_table=env.get(INSTANCES.env_var, ""),
        logs_table=env.get(LOGS.env_var, ""),
        kv_table=env.get(KV.env_var, ""),
        snapshots_table=env.get(SNAPSHOTS.env_var, ""),
        state_machine_arn=env.get("STATE_MACHINE_ARN", ""),
        control_id=env.get("CONTROL_ID", ""),
        api_url=env.get("API_URL", "").rstrip("/"),
        default_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        boot_poll_seconds=_int("BOOT_POLL_SECONDS", 5),
        boot_timeout_seconds=_int("BOOT_TIMEOUT_SECONDS", 600),
        agent_lost_seconds=_int("AGENT_LOST_SECONDS", 180),
        cancel_grace_seconds=_int("CANCEL_GRACE_SECONDS", 30),
        log_retention_days=_int("LOG_RETENTION_DAYS", 30),
        sweeper_function=env.get("SWEEPER_FUNCTION_NAME", "Sweeper"),
        run_files_bucket=env.get("RUN_FILES_BUCKET", ""),
    )
