"""Table and key names, defined once: imported by the store, by infra/ and by local/ (and tests)."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class Table:
    logical_id: str  # CDK construct id
    env_var: str  # the Lambda env var carrying the physical name
    partition_key: str
    sort_key: str | None = None
    sort_key_type: str = "S"  # "S" or "N"
    indexes: tuple = field(default_factory=tuple)
    ttl_attribute: str | None = None


RUNS = Table("Runs", "RUNS_TABLE", "run_id", indexes=(Index("by_owner", "owner", "created_at"),))
INSTANCES = Table(
    "Instances",
    "INSTANCES_TABLE",
    "instance_key",
    indexes=(Index("by_owner", "owner", "created_at"),),
)
LOGS = Table("Logs", "LOGS_TABLE", "run_id", sort_key="seq", sort_key_type="N", ttl_attribute="expires_at")
# Small shared state: the AMI cache, per-region startup results, regions in use.
KV = Table("Kv", "KV_TABLE", "key", ttl_attribute="expires_at")
# One item per AMI snapshot; the partition key is the AMI id itself.
SNAPSHOTS = Table("Snapshots", "SNAPSHOTS_TABLE", "snapshot_id", indexes=(Index("by_owner", "owner", "created_at"),))

ALL_TABLES = (RUNS, INSTANCES, LOGS, KV, SNAPSHOTS)
