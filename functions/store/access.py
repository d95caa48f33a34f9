"""Which DynamoDB actions each Lambda's code calls, on which table and index: infra grants exactly these.

Names only (no boto3), so infra/ can import it. tests/infra/test_infra_table_access.py reads the same
from the code (the store functions each handler can reach, and the Table methods they call) and fails
when the two differ, either way.
"""
GET, PUT, UPDATE, DELETE = "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"
QUERY, SCAN = "dynamodb:Query", "dynamodb:Scan"

# function (a workflow task name, "Api", "AgentApi", "Sweeper", "Startup", "PoolKeeper") -> table logical id -> the
# actions it calls on the table itself (a Query here is on the table's own key, not an index)
TABLE_ACTIONS = {
    "Api": {
        "Runs": (GET, PUT, UPDATE),  # create (conditional put), read, cancel
        "Instances": (GET, UPDATE),  # cancel queues the agent's event; SSH keys go to the instance
        "Logs": (QUERY,),  # a run's output, after a seq
        "Kv": (GET, SCAN, DELETE),  # orphans (kv.keys scans the small table); `repl cache clear` deletes
        "Snapshots": (GET, PUT, UPDATE, DELETE),  # /v1/snapshots
        # /v1/pools (create: conditional put; list; resize, delete: conditional updates); a run's `--pool NAME`
        "Pools": (GET, PUT, UPDATE, QUERY),
    },
    "AgentApi": {
        "Runs": (GET, UPDATE),  # advance, claim the start, finish
        "Instances": (GET, UPDATE),  # the token check, the event queue, the session
        "Logs": (GET, PUT, QUERY),  # a batch once (conditional put), whether a seq is stored, the last seq
    },
    "Provision": {
        "Runs": (GET, UPDATE),
        "Instances": (GET, PUT, UPDATE),  # the record is written before RunInstances
        "Kv": (GET, PUT),  # AMI cache, per-region startup results, regions in use
        # the run's pool (--pool), else the owner's pools, marked used (the claim itself: Instances UPDATE)
        "Pools": (GET, UPDATE, QUERY),
    },
    "CheckRegistration": {"Runs": (GET,), "Instances": (GET, UPDATE)},
    "StartRun": {"Runs": (GET,)},
    "DispatchRun": {"Runs": (UPDATE,), "Instances": (UPDATE,)},  # claim the start, queue start_run
    "KeepInstance": {"Runs": (UPDATE,)},  # the Kept state's token
    "Finalize": {"Runs": (GET, UPDATE), "Instances": (GET, UPDATE)},
    # with the run's record gone, Cleanup looks for its instances in every region in use (kv.keys)
    # and the pool instance a failed Provision claimed but did not record (the owner's pools, one's instances)
    "Cleanup": {"Runs": (GET, UPDATE), "Instances": (GET, UPDATE), "Kv": (SCAN,), "Pools": (GET, QUERY)},
    # regions in use; orphans; an idle pool instance's pool (gone or going: it retires the instance)
    "Sweeper": {"Runs": (GET, UPDATE), "Instances": (GET, UPDATE), "Kv": (PUT, SCAN), "Pools": (GET,)},
    "Startup": {"Kv": (GET, PUT)},  # records the region's startup result, as Provision does
    # functions/lifecycle/pool_keeper.py: the pool (its lease, its keep requests, its deletion), every pool on the
    # schedule (a scan of a small table: a few pools per owner); its instances' records, written before
    # each launch; the AMI cache and startup results, as Provision
    "PoolKeeper": {"Pools": (GET, UPDATE, DELETE, SCAN), "Instances": (GET, PUT, UPDATE), "Kv": (GET, PUT)},
}

# function -> table logical id -> the global secondary indexes it queries (dynamodb:Query on exactly
# these index ARNs; a function that queries none gets no index ARN at all)
INDEX_QUERIES = {
    "Api": {"Runs": ("by_owner", "unsettled"),  # list runs; the active-runs limit
            "Instances": ("by_owner", "by_pool"), "Snapshots": ("by_owner",)},  # by_pool: a pool's instances
    "Sweeper": {"Runs": ("unsettled",)},  # the runs to reconcile
    "Provision": {"Instances": ("by_pool",)},  # a matching pool's idle instances, to claim one
    "Cleanup": {"Instances": ("by_pool",)},  # the one a failed Provision claimed
    "PoolKeeper": {"Instances": ("by_pool",)},  # a pool's instances
}
