"""A run's choices (`--region a,b`, `--spec x,y`, `--spot-policy auto`) and which one to try next.

Spot before on-demand (`auto` pays on-demand's price only once spot has no capacity anywhere the user
allowed); within a market, the regions in the user's order, and the types in theirs within a region
(a region is where the data is; a type is an alternative in that place). Each round tries every
choice once; a capacity error moves on at once, and the seed's 30 s back-off comes only once a round
is spent (the workflow's Retry of Provision: functions/workflow/definition.py), for MAX_ROUNDS rounds
in all. A choice refused for another reason (a quota, a permission, no image there) is not tried again:
waiting does not lift a quota.
"""
from functools import reduce

from .errors import AwsError, CapacityError, Invalid, PermissionDenied, QuotaError
from .records import Attempt, Choice, Run

SPOT, ON_DEMAND, AUTO = "spot", "on-demand", "auto"
POLICIES = (SPOT, ON_DEMAND, AUTO)
POLICIES_ALLOWED = "spot (spot only), on-demand, auto (spot first, on-demand when spot has no capacity)"
MAX_ROUNDS = 4  # the seed's 4 tries over 90 s, each now a round of every choice
MAX_LISTED = 8  # regions, and instance types, per run

# outcomes of an attempt
LAUNCHING, LAUNCHED = "launching", "launched"  # its instance recorded, RunInstances asked / answered
CAPACITY = "capacity"  # no capacity: tried again next round
QUOTA, DENIED, FAILED = "quota", "denied", "failed"  # refused for good: a quota, a permission, anything else
REFUSED = (QUOTA, DENIED, FAILED)
OUTCOMES = (LAUNCHING, LAUNCHED, CAPACITY) + REFUSED


def markets(policy: str) -> tuple[bool, ...]:
    """The `spot` values a policy allows, in the order it tries them."""
    return {SPOT: (True,), ON_DEMAND: (False,), AUTO: (True, False)}[policy]


def policy_of(spot: bool, spot_policy: str | None) -> str:
    """The one policy of a request's `spot` and `spot_policy` (`spot: true` is the seed's spot only)."""
    if spot_policy is None:
        return SPOT if spot else ON_DEMAND
    if spot and spot_policy != SPOT:
        raise Invalid(f"spot_policy: {spot_policy!r} contradicts spot: true (spot only); send one of them",
                      field="spot_policy")
    return spot_policy


def ordered(regions: list[str], instance_types: list[str], policy: str) -> tuple[Choice, ...]:
    return tuple(Choice(region, instance_type, spot) for spot in markets(policy)
                 for region in regions for instance_type in instance_types)


def next_pick(run: Run, fresh: bool) -> tuple[int, int] | None:
    """(choice index, round) to try next, or None when the round is spent. `fresh`: this Provision has
    tried nothing yet, so a spent round is one the back-off has just waited out: the next one begins
    (with the choices that had no capacity), while rounds remain."""
    options, attempts = run.options, run.attempts
    current = max((a.round for a in attempts), default=1)
    refused = {a.choice for a in attempts if a.outcome in REFUSED}
    tried = {a.choice for a in attempts if a.round == current}
    left = [i for i in range(len(options)) if i not in tried | refused]
    if left:
        return left[0], current
    again = [i for i in range(len(options)) if i not in refused]
    if fresh and again and current < MAX_ROUNDS:
        return again[0], current + 1
    return None


def round_spent(run: Run, errors: list[AwsError]) -> AwsError:
    """The error a spent round ends Provision with: capacity (the workflow backs off, then the next
    round) while any choice had no capacity, else the refusal. One choice: its own error, as before."""
    if len(run.options) == 1 and errors:
        return errors[-1]
    capacity = [a for a in run.attempts if a.outcome == CAPACITY]
    last_round = max((a.round for a in run.attempts), default=1)
    tried = "; ".join(f"{describe(a)}: {a.reason}" for a in _latest_per_choice(run.attempts))
    if capacity and last_round < MAX_ROUNDS:
        return CapacityError(f"no capacity in round {last_round} of {MAX_ROUNDS} for any choice ({tried}); "
                             "trying again in 30 s", aws_code="InsufficientInstanceCapacity")
    if capacity:
        return CapacityError(f"EC2 had no capacity for any choice in {MAX_ROUNDS} rounds ({tried}). Add instance "
                             "types or regions (--spec a,b --region x,y), allow on-demand (--spot-policy auto), or "
                             "try later", aws_code="InsufficientInstanceCapacity")
    last = errors[-1] if errors else AwsError("")  # (a retried Provision may find the refusals recorded)
    return type(last)(f"every choice was refused ({tried})", aws_code=last.aws_code)


def outcome_of(err: AwsError) -> str:
    if isinstance(err, CapacityError):
        return CAPACITY
    return QUOTA if isinstance(err, QuotaError) else DENIED if isinstance(err, PermissionDenied) else FAILED


def progress(outcomes: list[str]) -> int:
    """How far a run's attempts have come (each start and each end counts): a follower that has seen less
    has news (`GET /v1/runs/{id}/logs?attempts=`), though the run's status stays provisioning."""
    return sum(1 if outcome == LAUNCHING else 2 for outcome in outcomes)


def describe(choice: Choice | Attempt) -> str:
    """"us-west-2 c6g.large spot": as the status line and `repl run get` name a choice."""
    return f"{choice.region} {choice.instance_type} {choice.market}"


def _latest_per_choice(attempts: tuple[Attempt, ...]) -> list[Attempt]:
    return list(reduce(lambda latest, a: {**latest, a.choice: a}, attempts, {}).values())
