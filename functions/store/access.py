"""Which DynamoDB actions each Lambda's code calls, on which table and index: infra grants exactly these.

Names only (no boto3), so infra/ can import it. tests/infra/test_infra_table_access.py reads the same
from the code (the store functions each handler can reach, and the Table methods they call) and fails
when the two differ, either way.
"""
GET, PUT, UPDATE, DELETE = "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"
QUERY, SCAN = "dynamodb:Query", "dynamodb:Scan"

# function (a workflow task name, "Api", "AgentApi", "Sweeper", "Startup") -> table logical id -> the
# actions it calls on the table itself (a Query here is on the table's own key, not an index)
TABLE_ACTIONS = {
    "Api": {
        "Runs": (GET, PUT, UPDATE),  # create (conditional put), read, cancel
        "Instances": (GET, UPDATE),  # cancel queues the agent's event; SSH keys go to the instance
        "Logs": (QUERY,),  # a run's output, after a seq
        "Kv": (GET, SCAN, DELETE),  # orphans (kv.keys scans the small table); `repl cache clear` deletes
        "Snapshots": (GET, PUT, UPDATE, DELETE),  # /v1/snapshots
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
    },
    "CheckRegistration": {"Runs": (GET,), "Instances": (GET, UPDATE)},
    "StartRun": {"Runs": (GET,)},
    "DispatchRun": {"Runs": (UPDATE,), "Instances": (UPDATE,)},  # claim the start, queue start_run
    "Finalize": {"Runs": (GET, UPDATE), "Instances": (GET, UPDATE)},
    # with the run's record gone, Cleanup looks for its instances in every region in use (kv.keys)
    "Cleanup": {"Runs": (GET, UPDATE), "Instances": (GET, UPDATE), "Kv": (SCAN,)},
    "Sweeper": {"Runs": (GET, UPDATE), "Instances": (GET, UPDATE), "Kv": (PUT, SCAN)},  # regions in use; orphans
    "Startup": {"Kv": (GET, PUT)},  # records the region's startup result, as Provision does
}

# function -> table logical id -> the global secondary indexes it queries (dynamodb:Query on exactly
# these index ARNs; a function that queries none gets no index ARN at all)
INDEX_QUERIES = {
    "Api": {"Runs": ("by_owner", "unsettled"),  # list runs; the active-runs limit
            "Instances": ("by_owner",), "Snapshots": ("by_owner",)},
    "Sweeper": {"Runs": ("unsettled",)},  # the runs to reconcile
}
