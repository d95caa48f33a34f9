"""A pool's bounds and defaults (`repl pool create`): what the API's models publish."""
MAX_POOL_SIZE = 20  # per pool; all of an owner's pools together stay within the active-runs limit too
DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000  # unused for 30 min, a pool empties (and costs nothing) until used again
MIN_IDLE_TIMEOUT_MS, MAX_IDLE_TIMEOUT_MS = 60_000, 7 * 24 * 3_600_000
DEFAULT_MAX_AGE_MS = 12 * 3_600_000  # an idle instance is replaced after 12 h (a fresh image, fresh patches)
MIN_MAX_AGE_MS, MAX_MAX_AGE_MS = 5 * 60_000, 7 * 24 * 3_600_000
