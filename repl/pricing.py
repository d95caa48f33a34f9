"""A run's estimated cost: instance time × its hourly price (the spot price Provision looked up, else
the on-demand list price of a few common types). An estimate only: the bill is AWS's to say."""
from repl.output import parse_time, price

# USD per hour, Linux on-demand in us-east-1 (other regions differ by up to ~30%). Only a handful of
# common types: for any other type the summary shows no cost rather than a guess.
ON_DEMAND_USD_PER_HOUR = {
    "t2.micro": 0.0116,
    "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832,
    "t4g.nano": 0.0042, "t4g.micro": 0.0084, "t4g.small": 0.0168, "t4g.medium": 0.0336, "t4g.large": 0.0672,
    "m5.large": 0.096, "m6i.large": 0.096, "m7i.large": 0.1008, "m7g.large": 0.0816,
    "c5.large": 0.085, "c6i.large": 0.085, "c7g.large": 0.0725, "c8g.large": 0.07976,
    "g4dn.xlarge": 0.526, "g5.xlarge": 1.006,
}
MINIMUM_BILLED_SECONDS = 60  # EC2 bills Linux instances per second, with a one-minute minimum


def hourly_price(run: dict) -> tuple[float, str] | None:
    """The price per hour this run paid and how it is known, or None if it is not."""
    if run.get("spot") and run.get("spot_price") is not None:
        return run["spot_price"], "spot"
    listed = ON_DEMAND_USD_PER_HOUR.get(run.get("instance_type") or "")
    if listed is None:
        return None
    # a spot run whose price lookup failed paid at most the on-demand price: say so
    return listed, "spot, priced at on-demand" if run.get("spot") else "on-demand"


def estimate(run: dict) -> str | None:
    """"~$0.0012 (t3.micro, on-demand $0.0104/h)", or None without an instance, an end or a price."""
    paid, seconds = hourly_price(run), lifetime_seconds(run)
    if not run.get("instance_id") or paid is None or seconds is None:
        return None
    usd_per_hour, kind = paid
    amount = dollars(max(seconds, MINIMUM_BILLED_SECONDS) / 3600 * usd_per_hour)
    about = "" if amount.startswith("<") else "~"
    return f"{about}{amount} ({run.get('instance_type')}, {kind} {price(usd_per_hour)})"


def lifetime_seconds(run: dict) -> float | None:
    """From the run's creation to its end: the instance lives inside it (launched a little after, and
    terminated and confirmed before the end is written), so this errs a little high."""
    if not (run.get("created_at") and run.get("ended_at")):
        return None
    return max(0.0, (parse_time(run["ended_at"]) - parse_time(run["created_at"])).total_seconds())


def dollars(usd: float) -> str:
    if usd < 0.0001:
        return "<$0.0001"
    return f"${usd:.4f}" if usd < 1 else f"${usd:.2f}"
