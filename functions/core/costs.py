"""What a run's instance costs: its hourly price (recorded by Provision) times its instance time, with
EC2's one-minute minimum; and the deadline a run's max cost sets. Pure, so every layer may use it.
An estimate: the bill is AWS's to say (no EBS, no data transfer, no price change mid-run)."""
import math

MINIMUM_BILLED_SECONDS = 60  # EC2 bills Linux instances per second, with a one-minute minimum
MS_PER_HOUR = 3_600_000


def instance_ms(launched_ms: int | None, terminated_ms: int | None, ended_ms: int | None, now_ms: int) -> int | None:
    """From the launch request to EC2's confirmed termination; to now while the run goes on; to the run's
    end when a termination was never confirmed (a lower bound). None: never launched."""
    if launched_ms is None:
        return None
    end = terminated_ms if terminated_ms is not None else ended_ms if ended_ms is not None else now_ms
    return max(0, end - launched_ms)


def cost_usd(usd_per_hour: float | None, billed_ms: int | None) -> float | None:
    """None when the price or the instance time is unknown: never a guess."""
    if usd_per_hour is None or billed_ms is None:
        return None
    return max(billed_ms, MINIMUM_BILLED_SECONDS * 1000) / MS_PER_HOUR * usd_per_hour


def run_cost_usd(run, now_ms: int) -> float | None:
    ended = None if run.kept(now_ms) else run.ended_ms  # kept after its command: it costs until now
    return cost_usd(run.price_usd_per_hour, instance_ms(run.launched_ms, run.terminated_ms, ended, now_ms))


def cost_window_ms(max_cost_usd: float | None, usd_per_hour: float | None) -> int | None:
    """How long the instance may run before it would cost more than max_cost_usd; None: no limit known."""
    if max_cost_usd is None or not usd_per_hour:
        return None
    return math.floor(max_cost_usd / usd_per_hour * MS_PER_HOUR)


def deadline_ms(run, usd_per_hour: float | None, launch_ms: int) -> int:
    """When the run must end: max-duration after its launch request (time queued before never times a
    run out), or sooner when its max cost allows less at this price."""
    window = cost_window_ms(run.max_cost_usd, usd_per_hour)
    return launch_ms + (run.max_duration_ms if window is None else min(run.max_duration_ms, window))


def limited_by_cost(run) -> bool:
    """Whether the run's deadline is its max cost's, not its max-duration's."""
    window = cost_window_ms(run.max_cost_usd, run.price_usd_per_hour)
    return window is not None and window < run.max_duration_ms
