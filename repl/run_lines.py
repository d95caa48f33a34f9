"""What `repl` says about a run on stderr: its phases as it starts, and a summary once it has ended."""
from functions.core import states
from repl import pricing
from repl.output import duration, paint, parse_time, price, short_time

SEPARATOR = " · "


def phase_line(run: dict) -> str | None:
    """One line per phase change, for a log or CI (stderr is not a terminal)."""
    status = run["status"]
    if status == states.PENDING:
        return f"[repl] run {run['run_id']} pending…"
    if status == states.PROVISIONING:
        return f"[repl] provisioning {run.get('instance_type')} in {run.get('region')} ({market(run)})…"
    if status == states.BOOTING:
        priced = f" ({market(run)})" if run.get("spot_price") is not None else ""
        return f"[repl] booting {run.get('instance_id') or 'the instance'}{priced}…"
    if status == states.RUNNING:
        return "[repl] running"
    return None


def live_line(run: dict, now: float) -> str:
    """The one line a terminal shows while the run goes on, rewritten in place:
    [repl] run r1 booting · 42s · t3.micro · us-east-1 · spot at $0.0035/h · i-0abc
    (a narrow terminal cuts the end: the long instance id goes last, the summary line names it too)"""
    parts = [f"[repl] run {run['run_id']} {run['status']}", duration(elapsed_seconds(run, now), tenths=False),
             run.get("instance_type"), run.get("region"), market(run), run.get("instance_id")]
    return SEPARATOR.join(part for part in parts if part)


def market(run: dict) -> str:
    """"on-demand", "spot", or "spot at $0.0035/h" once Provision has looked the price up."""
    if not run.get("spot"):
        return "on-demand"
    return f"spot at {price(run['spot_price'])}" if run.get("spot_price") is not None else "spot"


def summary_line(run: dict, colour: bool = False) -> str:
    """[repl] run r1 succeeded (exit 0) in 12.3s; instance i-0abc terminated; ~$0.0002 (t3.micro, ...)"""
    status = run["status"]
    code = states.cli_exit_code(status, run.get("exit_code"))
    seconds = command_seconds(run)
    head = f"[repl] run {run['run_id']} {paint(status, status, colour)} (exit {code})"
    head += f" in {duration(seconds)}" if seconds is not None else ""
    if status not in (states.SUCCEEDED, states.FAILED):  # ended by something else than the command: say what
        head += f": {run.get('reason') or 'no reason given'}"
    # The run ends for its user as soon as the command does; the workflow terminates the instance and
    # records when EC2 confirms it (terminated_at), as it does on every path (docs/protocol.md §4).
    parts = [head, _instance_end(run, named=bool(run.get("instance_id")) and run["instance_id"] in head),
             pricing.estimate(run)]
    return "; ".join(part for part in parts if part)


def _instance_end(run: dict, named: bool) -> str | None:
    """named: the reason already names the instance (a boot timeout does), so it is not named twice."""
    if not run.get("instance_id"):
        return None
    if run.get("kept_until") and not run.get("terminated_at"):  # --keep-alive: it stays for the user
        return (f"instance {run['instance_id']} kept until {short_time(run['kept_until'])} UTC (repl ssh {run['run_id']}; "
                f"repl instance terminate {run['run_id']} ends it)")
    done = "terminated" if run.get("terminated_at") else "being terminated"
    return f"instance {done}" if named else f"instance {run['instance_id']} {done}"


def command_seconds(run: dict) -> float | None:
    """The command's own time when it started, else the whole run's (boot included); None before the end."""
    start, end = run.get("started_at") or run.get("created_at"), run.get("ended_at")
    return (parse_time(end) - parse_time(start)).total_seconds() if start and end else None


def elapsed_seconds(run: dict, now: float) -> float | None:
    """Since the run was created, by this machine's clock (never negative, should the clocks disagree)."""
    created = run.get("created_at")
    return max(0.0, now - parse_time(created).timestamp()) if created else None
