"""What one owner's runs cost this calendar month (UTC), for the deployment's monthly budget
(functions/core/limits.check_budget): ended runs' cost and active runs' cost so far."""
from datetime import datetime, timezone

from functions.core import costs
from functions.core.clock import now_ms
from functions.store import runs


def month_start_ms(at_ms: int) -> int:
    at = datetime.fromtimestamp(at_ms / 1000, tz=timezone.utc)
    return int(at.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)


def spent_this_month(owner: str) -> float:
    """Runs created this month only (one bounded read of the owner's index); a run without a price adds 0."""
    now = now_ms()
    return sum(costs.run_cost_usd(run, now) or 0.0 for run in runs.created_since(owner, month_start_ms(now)))
