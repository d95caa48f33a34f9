"""What `repl` says about a run on stderr: its phases as it starts, and a summary once it has ended."""
from functions.core import choices, states
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
    head = [f"[repl] run {run['run_id']} {run['status']}", duration(elapsed_seconds(run, now), tenths=False)]
    capacity = capacity_note(run)
    parts = head + ([capacity] if capacity else
                    [run.get("instance_type"), run.get("region"), market(run), run.get("instance_id")])
    return SEPARATOR.join(part for part in parts if part)


OUTCOME_WORDS = {choices.CAPACITY: "no capacity", choices.QUOTA: "vCPU quota used up",
                 choices.DENIED: "permission denied", choices.FAILED: "failed"}


def capacity_note(run: dict) -> str | None:
    """While a run provisions after EC2 refused a launch: "capacity: trying us-west-2 c6g.large", or the
    back-off once every choice has had its try this round."""
    attempts = run.get("attempts") or []
    if run["status"] not in (states.PENDING, states.PROVISIONING) or not any(
            a["outcome"] in OUTCOME_WORDS for a in attempts):
        return None
    last = attempts[-1]
    if last["outcome"] == choices.LAUNCHING:
        return f"capacity: trying {where(run, last)}" + (f" (round {last['round']})" if last["round"] > 1 else "")
    if last["outcome"] == choices.CAPACITY:
        return f"capacity: none for any choice in round {last['round']} of {choices.MAX_ROUNDS}; trying again in 30 s"
    return f"capacity: {where(run, last)} {OUTCOME_WORDS[last['outcome']]}"


def attempt_line(run: dict) -> str | None:
    """For a log (stderr not a terminal): the last refused launch and what comes next, one line."""
    refused = [a for a in run.get("attempts") or [] if a["outcome"] in OUTCOME_WORDS]
    note = capacity_note(run)
    if not refused or not note:
        return None
    last = refused[-1]
    return f"[repl] {where(run, last)}: {OUTCOME_WORDS[last['outcome']]}; {note.removeprefix('capacity: ')}"


def where(run: dict, place: dict) -> str:
    """A choice or an attempt as the user reads it: its market named only when the run may use both."""
    both = run.get("spot_policy") == choices.AUTO
    return f"{place['region']} {place['instance_type']}" + (f" {place['market']}" if both else "")


def readable_choices(run: dict) -> dict:
    """`repl run get`'s choices on one line and each attempt on its own (not JSON inside a line)."""
    shown = {key: value for key, value in run.items() if key not in ("choices", "attempts")}
    if len(run.get("choices") or []) > 1:
        shown["choices"] = ", ".join(f"{c['region']} {c['instance_type']} {c['market']}" for c in run["choices"])
    for a in run.get("attempts") or []:
        shown[f"attempt {a['number']}"] = SEPARATOR.join(str(part) for part in (
            f"{a['region']} {a['instance_type']} {a['market']}", f"round {a['round']}", a["outcome"],
            a.get("instance_id"), a.get("reason")) if part)
    return shown


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
    # several choices: where it ran is news (one choice: the user named it)
    ran = f" ({run['region']} {run['instance_type']} {market_of(run)})" if len(run.get("choices") or []) > 1 else ""
    return f"instance{ran} {done}" if named else f"instance {run['instance_id']}{ran} {done}"


def market_of(run: dict) -> str:
    return "spot" if run.get("spot") else "on-demand"


def command_seconds(run: dict) -> float | None:
    """The command's own time when it started, else the whole run's (boot included); None before the end."""
    start, end = run.get("started_at") or run.get("created_at"), run.get("ended_at")
    return (parse_time(end) - parse_time(start)).total_seconds() if start and end else None


def elapsed_seconds(run: dict, now: float) -> float | None:
    """Since the run was created, by this machine's clock (never negative, should the clocks disagree)."""
    created = run.get("created_at")
    return max(0.0, now - parse_time(created).timestamp()) if created else None
