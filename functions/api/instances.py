"""Instance use cases: the caller's instances."""
from functions.api.views import instance_view
from functions.store import instances


def list_instances(owner: str, include_ended: bool) -> dict:
    return {"instances": [instance_view(i) for i in instances.list_owned(owner, include_ended)]}
