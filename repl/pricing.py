"""A run's cost as the control plane reports it: `cost_usd` (instance time, EC2's one-minute minimum,
times `price_usd_per_hour`: the spot price Provision looked up, else the on-demand list price of the
run's type and region). An estimate only: the bill is AWS's to say. No price: no cost, never a guess."""
from repl.output import price

FIELDS = ("price_usd_per_hour", "price_source", "cost_usd", "max_cost_usd")  # shown by readable() as two lines


def hourly_price(run: dict) -> tuple[float, str] | None:
    """The price per hour this run paid and how it is known, or None if it is not."""
    usd_per_hour = run.get("price_usd_per_hour")
    if usd_per_hour is None:
        return None
    source = run.get("price_source") or "on-demand"
    # a spot run whose spot price lookup failed paid at most the on-demand price: say so
    return usd_per_hour, "spot, priced at on-demand" if run.get("spot") and source != "spot" else source


def estimate(run: dict) -> str | None:
    """"~$0.0012 (t3.micro, on-demand $0.0104/h)", or None without an instance, an end or a price."""
    paid, cost = hourly_price(run), run.get("cost_usd")
    if not (run.get("instance_id") and run.get("ended_at")) or paid is None or cost is None:
        return None
    usd_per_hour, kind = paid
    amount = dollars(cost)
    about = "" if amount.startswith("<") else "~"
    return f"{about}{amount} ({run.get('instance_type')}, {kind} {price(usd_per_hour)})"


def cost_cell(run: dict) -> str:
    """The COST column of `repl run list`: so far for a run still going; "-" when unknown."""
    cost = run.get("cost_usd")
    return "-" if cost is None else dollars(cost)


def dollars(usd: float) -> str:
    if usd == 0:
        return "$0"
    if usd < 0.0001:
        return "<$0.0001"
    return f"${usd:.4f}" if usd < 1 else f"${usd:.2f}"


def readable(run: dict) -> dict:
    """`repl run get`'s fields: the price fields as one `cost` line (and `max_cost`, if one was set)."""
    shown = {key: value for key, value in run.items() if key not in FIELDS}
    shown["cost"] = _cost_line(run)
    if run.get("max_cost_usd") is not None:
        shown["max_cost"] = f"${run['max_cost_usd']:g}" + (
            "; not enforced: no price is known for this type" if run.get("instance_id") and not hourly_price(run)
            else "")
    return shown


def _cost_line(run: dict) -> str:
    paid, cost = hourly_price(run), run.get("cost_usd")
    if paid is None or cost is None:
        return "unknown (no price for this type and region)" if run.get("instance_id") else "-"
    so_far = "" if run.get("ended_at") else " so far"
    return f"{dollars(cost)}{so_far} ({run.get('instance_type')}, {paid[1]} {price(paid[0])})"
