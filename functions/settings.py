"""Every environment variable a Lambda reads, parsed once. Infra sets them; local/ sets them too.

Names only above `settings()`, so infra/ can import them; this module imports nothing of ours but
core, so every layer may read it.
"""
import os
from dataclasses import dataclass
from functools import lru_cache

from functions.core.limits import Limits
from functions.core.records import RunTimings

# The table logical id (functions/store/schema.py) -> the env var carrying its physical name.
TABLE_ENV_VARS = {"Runs": "RUNS_TABLE", "Instances": "INSTANCES_TABLE", "Logs": "LOGS_TABLE", "Kv": "KV_TABLE",
                  "Snapshots": "SNAPSHOTS_TABLE", "Pools": "POOLS_TABLE"}
RUN_FILES_BUCKET = "RUN_FILES_BUCKET"  # synced working directories in, artifacts out
PRICE_LIST_FILE = "PRICE_LIST_FILE"  # the embedded stack's seeded on-demand prices (functions/aws/prices.py)
# A new run's timings (core RunTimings): the env var of each field, and its value on AWS (infra sets
# these; the embedded stack shorter ones, local/stack.py).
TIMING_ENV_VARS = {"boot_poll_seconds": "BOOT_POLL_SECONDS", "boot_timeout_seconds": "BOOT_TIMEOUT_SECONDS",
                   "agent_silent_seconds": "AGENT_SILENT_SECONDS", "cancel_grace_seconds": "CANCEL_GRACE_SECONDS"}
# What one owner may start (functions/core/limits.py): the env var of each, set from cdk context at deploy.
LIMIT_ENV_VARS = {"active_runs": "LIMIT_ACTIVE_RUNS", "instance_types": "LIMIT_INSTANCE_TYPES",
                  "max_duration_ms": "LIMIT_MAX_DURATION_MS"}
BUDGET_ENV_VAR = "BUDGET_MONTHLY_USD"  # one owner's monthly budget (core/limits.py), from cdk context; unset: none
# The run-end webhook (functions/aws/webhook.py): its URL from cdk context (`-c webhook_url=https://...`);
# unset: none. Its signing secret is this SSM SecureString, made on first need, never an env var.
WEBHOOK_URL_ENV = "WEBHOOK_URL"
WEBHOOK_SECRET_PARAMETER = "/skyrepl/webhook/secret"
DEFAULT_LIMITS = Limits(active_runs=100, instance_types=("*",), max_duration_ms=7 * 24 * 3_600_000)
DEFAULT_TIMINGS = RunTimings(boot_poll_seconds=5, boot_timeout_seconds=600, agent_silent_seconds=180,
                             cancel_grace_seconds=30)


@dataclass(frozen=True)
class Settings:
    tables: dict  # logical id -> physical table name
    state_machine_arn: str
    control_id: str
    api_url: str  # the URL agents call back on
    default_region: str
    timings: RunTimings  # what a new run gets (functions/core/records.py)
    limits: Limits  # what one owner may start
    log_retention_days: int
    agent_poll_ms: int  # a steady run's agent calls again this long after an answer with nothing for it
    client_poll_ms: int  # a follower (repl run, the dashboard) reads again this long after an empty page
    output_policy: dict  # how agents batch output (agent/shipper.py): handed over at registration
    sweeper_function: str  # `repl orphan scan` invokes it
    pool_keeper_function: str  # the API and Provision invoke it (functions/lifecycle/pool_keeper.py)
    pool_poll_ms: int  # an idle pool instance's agent calls again this long after an answer (claim to start)
    run_files_bucket: str
    ssh_key_ttl_seconds: int = 12 * 3600  # a user's SSH key for a run lasts this long, or to the deadline
    price_list_file: str = ""  # a seeded price list instead of the Price List API (the embedded stack's)
    webhook_url: str = ""  # where a run's end is POSTed (signed); empty: nowhere


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)  # unset or empty: the default


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    return Settings(
        tables={logical_id: env.get(var, "") for logical_id, var in TABLE_ENV_VARS.items()},
        state_machine_arn=env.get("STATE_MACHINE_ARN", ""),
        control_id=env.get("CONTROL_ID", ""),
        api_url=env.get("API_URL", "").rstrip("/"),
        default_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        timings=RunTimings(**{name: _int(var, getattr(DEFAULT_TIMINGS, name)) for name, var in TIMING_ENV_VARS.items()}),
        limits=Limits(active_runs=_int(LIMIT_ENV_VARS["active_runs"], DEFAULT_LIMITS.active_runs),
                      instance_types=Limits.parse_types(env.get(LIMIT_ENV_VARS["instance_types"]) or "*"),
                      max_duration_ms=_int(LIMIT_ENV_VARS["max_duration_ms"], DEFAULT_LIMITS.max_duration_ms),
                      budget_monthly_usd=float(env[BUDGET_ENV_VAR]) if env.get(BUDGET_ENV_VAR) else None),
        log_retention_days=_int("LOG_RETENTION_DAYS", 30),
        agent_poll_ms=_int("AGENT_POLL_MS", 15_000),
        client_poll_ms=_int("CLIENT_POLL_MS", 4_000),
        output_policy={"attached_ms": _int("OUTPUT_ATTACHED_MS", 4_000),  # a follower reads: ship this often
                       "detached_ms": _int("OUTPUT_DETACHED_MS", 30_000),  # nobody does: fewer, bigger batches
                       "inline_bytes": _int("OUTPUT_INLINE_BYTES", 32_768),  # bigger batches go to S3, gzipped
                       "chunk_bytes": _int("OUTPUT_CHUNK_BYTES", 8_388_608)},  # one S3 object's output, at most
        sweeper_function=env.get("SWEEPER_FUNCTION_NAME", "Sweeper"),
        pool_keeper_function=env.get("POOL_KEEPER_FUNCTION_NAME", "PoolKeeper"),
        pool_poll_ms=_int("POOL_POLL_MS", 1_000),
        run_files_bucket=env.get(RUN_FILES_BUCKET, ""),
        ssh_key_ttl_seconds=_int("SSH_KEY_TTL_SECONDS", 12 * 3600),
        price_list_file=env.get(PRICE_LIST_FILE, ""),
        webhook_url=env.get(WEBHOOK_URL_ENV, ""),
    )
