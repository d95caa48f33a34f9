"""Table and key names, defined once: imported by the store, by infra/ and by local/ (and tests)."""
from dataclasses import dataclass, field

from functions.settings import TABLE_ENV_VARS


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class Table:
    logical_id: str  # CDK construct id
    partition_key: str
    sort_key: str | None = None
    sort_key_type: str = "S"  # "S" or "N"
    indexes: tuple = field(default_factory=tuple)
    ttl_attribute: str | None = None

    @property
    def env_var(self) -> str:
        """The Lambda env var carrying the physical name."""
        return TABLE_ENV_VARS[self.logical_id]


# `unsettled` (a sparse index): every run from its creation until it has ended and its instance's end is
# confirmed; the sweeper reconciles them (functions/lifecycle/reconcile.py).
RUNS = Table("Runs", "run_id", indexes=(Index("by_owner", "owner", "created_at"),
                                        Index("unsettled", "unsettled", "created_at")))
# `by_pool` (sparse): a pool's instances, idle or claimed (functions/lifecycle/pool_keeper.py).
INSTANCES = Table("Instances", "instance_key", indexes=(Index("by_owner", "owner", "created_at"),
                                                        Index("by_pool", "pool_id", "created_at")))
LOGS = Table("Logs", "run_id", sort_key="seq", sort_key_type="N", ttl_attribute="expires_at")
# Small shared state: the AMI cache, per-region startup results, regions in use.
KV = Table("Kv", "key", ttl_attribute="expires_at")
# One item per AMI snapshot; the partition key is the AMI id itself.
SNAPSHOTS = Table("Snapshots", "snapshot_id", indexes=(Index("by_owner", "owner", "created_at"),))

# Warm pools, by owner and name (functions/store/pools.py).
POOLS = Table("Pools", "owner", sort_key="name")

ALL_TABLES = (RUNS, INSTANCES, LOGS, KV, SNAPSHOTS, POOLS)
