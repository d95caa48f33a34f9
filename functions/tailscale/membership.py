"""Tailscale around an instance's life: an auth key before the launch, its device removed after it ends.

Both are best effort: a Tailscale outage or a bad API key never fails a run (the instance works
without the tailnet, and its key is ephemeral: the device would leave the tailnet on its own).
"""
from functions.observability import logger
from functions.tailscale import config
from functions.tailscale.client import Client, TailscaleError, scrub


def hostname(subject: str) -> str:
    """A run's instance joins as repl-<run id>; a pool's idle instance as repl-<instance key> (it has no
    run yet, and the name stays with it when a run claims it: the instance record keeps it)."""
    return f"repl-{subject}"


def join(subject: str, description: str | None = None) -> dict | None:
    """{"auth_key", "hostname"} for the bootstrap; None when not configured or when the API failed."""
    try:
        found = config.load()
        if found is None:
            return None
        name = hostname(subject)
        return {"auth_key": Client(found).create_auth_key(name, description or f"skyrepl run {subject}"),
                "hostname": name}
    except Exception as err:  # noqa: BLE001 - launch without Tailscale rather than not at all
        logger.warning("no Tailscale auth key: launching without Tailscale",
                       extra={"subject": subject, "error": _describe(err)})
        return None


def leave(*names: str) -> list:
    """Remove the devices called any of `names` from the tailnet (its devices listed once); the ids removed.
    A Tailscale failure ends the attempt (logged): one outage costs one call's retries, not one per name."""
    removed, names = [], tuple(filter(None, names))
    try:
        found = config.load() if names else None
        if found is None:
            return removed
        client = Client(found)
        for device_id in filter(None, (d.get("nodeId") or d.get("id") for d in client.find_devices(*names))):
            try:
                client.delete_device(device_id)
                removed.append(device_id)
            except TailscaleError as err:
                if err.status != 404:  # 404: gone already (an ephemeral device that left on its own)
                    raise
    except Exception as err:  # noqa: BLE001 - the instance is gone; an ephemeral device expires anyway
        logger.warning("could not remove the Tailscale device", extra={"hostnames": names, "error": _describe(err)})
    return removed


def _describe(err: Exception) -> str:
    return scrub(f"{type(err).__name__}: {err}")
