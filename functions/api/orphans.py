"""Orphans: instances of ours with no run record, as the sweeper found them; a scan runs it now."""
from functions.api.views import orphan_view
from functions.aws import lambdas
from functions.settings import settings
from functions.store import orphans


def list_orphans() -> dict:
    return {"orphans": [orphan_view(o) for o in orphans.list_all()]}


def scan() -> dict:
    """The sweeper, synchronously, in its own Lambda (with its own role, which this one lacks)."""
    result = lambdas.invoke(settings().sweeper_function, {"source": "repl orphan scan"})
    found = set(result["orphan_ids"])
    return {"terminated": result["terminated"],
            "orphans": [orphan_view(o) for o in orphans.list_all() if o.instance_id in found]}
