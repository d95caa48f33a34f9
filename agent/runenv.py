"""The run's `--env` values: fetched once, right before the command starts, from GET /v1/agent/env
(they are secrets, so they never travel in an event); given only to the command's environment."""
import json
import logging
import time
from typing import Callable, Optional

from agent.client import TransportError, retryable

log = logging.getLogger("agent")

ENV_PATH = "/v1/agent/env"
ATTEMPTS = 6  # about a minute of retries, then the run fails with a message rather than run without


def fetch(client, sleep: Callable[[float], None] = time.sleep) -> Optional[dict]:
    """NAME -> value, or None when it could not be had (logged; never the values)."""
    for attempt in range(ATTEMPTS):
        try:
            resp = client.call("GET", ENV_PATH)
            if resp.ok:
                env = json.loads(resp.body.decode("utf-8")).get("env")
                if isinstance(env, dict) and all(isinstance(v, str) for v in env.values()):
                    return env
                log.error("GET %s: not an object of strings", ENV_PATH)
                return None
            if not retryable(resp.status):
                log.error("GET %s refused: HTTP %d", ENV_PATH, resp.status)
                return None
        except (TransportError, ValueError) as err:
            log.warning("GET %s: %s", ENV_PATH, err)
        sleep(min(2 ** attempt, 16))
    return None
