"""This deployment's limits on what one owner may start, set at deploy (cdk context, README "Limits"):
active runs at once, instance types (fnmatch patterns), the longest max-duration. A create over one is
refused, naming the limit, before anything is written or launched."""
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .errors import LimitReached, TooManyRuns

ANY_TYPE = ("*",)


@dataclass(frozen=True)
class Limits:
    active_runs: int  # runs of one owner not yet ended
    instance_types: tuple[str, ...]  # patterns, e.g. ("t3.*", "c7g.*")
    max_duration_ms: int
    budget_monthly_usd: float | None = None  # what one owner's runs may cost in a calendar month (UTC)

    @staticmethod
    def parse_types(text: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in text.split(",") if p.strip()) or ANY_TYPE


def check(limits: Limits, instance_type: str, max_duration_ms: int) -> None:
    if not any(fnmatchcase(instance_type, pattern) for pattern in limits.instance_types):
        raise LimitReached(f"spec: instance type {instance_type} is not allowed by this deployment's limits; "
                           f"allowed: {', '.join(limits.instance_types)} (ask its administrator)", field="spec")
    if max_duration_ms > limits.max_duration_ms:
        raise LimitReached(f"max_duration_ms: {max_duration_ms} is over this deployment's limit of "
                           f"{limits.max_duration_ms} ({_hours(limits.max_duration_ms)})", field="max_duration_ms")


def check_active(limits: Limits, active: int) -> None:
    if active >= limits.active_runs:
        raise TooManyRuns(f"runs: {active} of yours are active, this deployment's limit of {limits.active_runs}; "
                          "wait for one to end or cancel one (repl run list)", field="runs")


def check_budget(limits: Limits, spent_usd: float) -> None:
    """spent_usd: this month's runs of the owner, ended ones' cost and active ones' so far."""
    budget = limits.budget_monthly_usd
    if budget is not None and spent_usd >= budget:
        raise LimitReached(f"budget: your runs this month cost ${spent_usd:.2f} of this deployment's monthly "
                           f"${budget:g}; wait for next month or ask its administrator", field="budget")


def _hours(ms: int) -> str:
    hours = ms / 3_600_000
    return f"{hours:g} h"
