"""The DynamoDB tables, by their schema entry (functions/store/schema.py), from the one client factory."""
from functions.aws import clients
from functions.settings import settings
from functions.store.schema import INSTANCES, KV, LOGS, POOLS, RUNS, SNAPSHOTS, Table


def table(spec: Table):
    return clients.dynamodb().Table(settings().tables[spec.logical_id])


def runs():
    return table(RUNS)


def instances():
    return table(INSTANCES)


def logs():
    return table(LOGS)


def kv():
    return table(KV)


def snapshots():
    return table(SNAPSHOTS)


def pools():
    return table(POOLS)
