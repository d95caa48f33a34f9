"""`repl cost [--since DATE] [--by spec|region|day] [--json]`: what your runs cost, grouped, as
`sky cost-report` shows it. Summed here from the run list (each run's cost_usd is the control plane's),
newest first, paging only as far back as --since (decision: client-side, no route of its own)."""
import argparse
from datetime import datetime, timedelta, timezone

from repl import output, pricing
from repl.commands import Context
from repl.errors import ExitCode
from repl.output import parse_time

BY = {"spec": lambda r: r.get("instance_type") or r.get("spec") or "-", "region": lambda r: r.get("region") or "-",
      "day": lambda r: (r.get("created_at") or "-")[:10]}
DEFAULT_DAYS = 30  # as sky cost-report's default window
PAGE = 200  # the largest page GET /v1/runs answers


def cost(args, ctx: Context) -> int:
    now = ctx.env.clock()
    since = args.since or (datetime.fromtimestamp(now, timezone.utc) - timedelta(days=DEFAULT_DAYS)).date()
    runs = runs_since(ctx, since.isoformat())
    groups = _groups(runs, BY[args.by], now)
    total = _sum("total", runs, now)
    if args.json:
        ctx.env.out(output.to_json({"since": since.isoformat(), "by": args.by, "groups": groups, "total": total}))
        return ExitCode.OK
    rows = [[g["key"], g["runs"], f"{g['hours']:.2f}", _usd(g)] for g in groups + [total]]
    ctx.env.out(output.table([args.by.upper(), "RUNS", "HOURS", "COST"], rows))
    if total["unpriced"]:
        ctx.env.err(f"[repl] {total['unpriced']} run(s) without a known price are counted in RUNS and HOURS, "
                    "not in COST\n")
    return ExitCode.OK


def runs_since(ctx: Context, day: str) -> list:
    """The caller's runs created on `day` (UTC) or later: pages of the newest-first list, until one is older."""
    found, cursor = [], None
    while True:
        page = ctx.client.get("/v1/runs", limit=PAGE, **({"cursor": cursor} if cursor else {}))
        for run in page["runs"]:
            if (run.get("created_at") or "") < day:
                return found
            found.append(run)
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def _groups(runs: list, key, now: float) -> list:
    by = {}
    for run in runs:
        by.setdefault(key(run), []).append(run)
    return [_sum(name, members, now) for name, members in sorted(by.items())]


def _sum(name: str, runs: list, now: float) -> dict:
    priced = [r["cost_usd"] for r in runs if r.get("cost_usd") is not None]
    return {"key": name, "runs": len(runs), "hours": round(sum(_hours(r, now) for r in runs), 4),
            "cost_usd": round(sum(priced), 6), "unpriced": sum(1 for r in runs if _unpriced(r))}


def _hours(run: dict, now: float) -> float:
    """Instance time, as the control plane bills it: launch to termination, or to now while it goes on."""
    start = run.get("launched_at")
    if not start:
        return 0.0
    end = run.get("terminated_at") or run.get("ended_at")
    seconds = (parse_time(end).timestamp() if end else now) - parse_time(start).timestamp()
    return max(0.0, seconds) / 3600


def _unpriced(run: dict) -> bool:
    return bool(run.get("launched_at")) and run.get("cost_usd") is None


def _usd(group: dict) -> str:
    return pricing.dollars(group["cost_usd"]) + ("+?" if group["unpriced"] else "")


def since_date(text: str):
    """--since: a UTC date, YYYY-MM-DD."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; allowed: YYYY-MM-DD (UTC), e.g. 2026-11-01") \
            from None
