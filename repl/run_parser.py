"""`repl run` and its actions (list, get, logs, cancel): flags exactly as aws-setup.md writes them.

The settings repl.toml can also give (provider, spec, region, spot, max-duration, artifacts) default to None
here: repl/settings.py tells a flag that was given from one that was not, and fills in the rest."""
import argparse

from functions.core import states
from functions.core.choices import POLICIES
from functions.core.requests import DEFAULT_MAX_DURATION_MS, MAX_MAX_COST_USD, MIN_MAX_COST_USD
from repl import durations, examples
from repl.commands import run, run_list, runs
from repl.parser_parts import RAW, json_flag, noun, positive, with_id

STATUSES = states.ACTIVE_STATUSES + states.TERMINAL_STATUSES


def add_run(nouns) -> argparse.ArgumentParser:
    p = noun(nouns, "run", "run a command on a new instance, or list and manage runs", examples.RUN,
             description="Run a command on a fresh instance and follow its output; or manage runs. "
             "Defaults come from repl.toml (this directory or above), and its [profile.NAME] with -p NAME.")
    p.add_argument("--provider", help="cloud provider (default: aws)")
    p.add_argument("--spec", help="an EC2 instance type (t3.micro, c8g.large) or "
                   "ubuntu:<noble|jammy|focal>:<amd64|arm64>; a list (c7g.large,c6g.large) of one arch is tried "
                   "in order when EC2 has no capacity")
    p.add_argument("-c", "--command", help="the shell command to run")
    p.add_argument("--max-duration", type=duration, metavar="DURATION",
                   help=f"hard limit, counted from the launch request: milliseconds, or 90s, 30m, 2h "
                   f"(default: {DEFAULT_MAX_DURATION_MS} = 1 h)")
    p.add_argument("--max-cost", type=usd, metavar="USD",
                   help="stop the run (timed_out) before its instance costs more than USD, at the price Provision "
                   "looks up; a type without a known price cannot be held to it (repl run get says so)")
    p.add_argument("--spot", action=argparse.BooleanOptionalAction,
                   help="a spot instance (spot only); --no-spot for on-demand even if repl.toml says spot = true")
    p.add_argument("--on-demand", dest="spot", action="store_false", default=None, help="the same as --no-spot")
    p.add_argument("--spot-policy", choices=POLICIES, metavar="POLICY",
                   help="spot, on-demand, or auto: spot first, on-demand when spot has no capacity anywhere allowed")
    p.add_argument("--region", action="append", metavar="REGION",
                   help="AWS region (default: the control plane's); a list (us-east-1,us-west-2, or repeated) is "
                   "tried in order when EC2 has no capacity")
    p.add_argument("--snapshot", metavar="ID", help="launch from this snapshot (see repl snapshot --help); "
                   "region and arch are the snapshot's, --spec defaults to t3.micro or t4g.micro")
    pool = p.add_mutually_exclusive_group()
    pool.add_argument("--pool", metavar="NAME", help="take an instance of this pool of yours (repl pool list): an "
                      "error if it keeps another spec, region, market or snapshot; without it, any matching pool of "
                      "yours is used")
    pool.add_argument("--no-pool", action="store_true", help="always launch a fresh instance, even if a pool matches")
    p.add_argument("--keep-alive", type=duration, metavar="DURATION",
                   help="keep the instance this long after the command ends (succeeded or failed), for repl ssh; "
                   "never past max-duration; repl instance terminate RUN ends it sooner")
    p.add_argument("-e", "--env", action="append", metavar="KEY[=VALUE]",
                   help="set KEY in the command's environment (repeatable); KEY alone takes this shell's value. "
                   "Values are kept out of every record and log")
    p.add_argument("--artifacts", action="append", metavar="GLOB",
                   help="once the command ends, upload the files matching GLOB, relative to its directory (repeatable; "
                   "given here, replaces repl.toml's artifacts list); fetch them with: repl artifact download ID")
    p.add_argument("--workdir", metavar="DIR", help="ship DIR (default: this directory) to the instance and run the "
                   "command inside it; .gitignore files and a .replignore say what stays behind")
    p.add_argument("--no-sync", action="store_true", help="ship no directory: the command runs in an empty one")
    p.add_argument("-p", "--profile", metavar="NAME", help="take defaults from [profile.NAME] in repl.toml; "
                   "flags still win")
    p.add_argument("--dry-run", action="store_true", help="print the request and where each value came from "
                   "(flag, profile, repl.toml, default); send nothing")
    p.add_argument("--detach", action="store_true", help="print the run id and return at once")
    json_flag(p, "print the final run as JSON instead of streaming its output")
    # format_usage: a missing --spec is found only once repl.toml has been read, after parsing
    p.set_defaults(handler=run.create, format_usage=p.format_usage)
    _add_actions(p.add_subparsers(dest="action", metavar="{list,get,logs,cancel}"))
    return p


def _add_actions(actions) -> None:
    ls = actions.add_parser("list", help="list your runs, newest first", epilog=examples.RUN_LIST,
                            formatter_class=RAW)
    ls.add_argument("--status", action="append", choices=STATUSES, metavar="STATUS",
                    help="only runs in this status (repeat for several): " + ", ".join(STATUSES))
    ls.add_argument("--limit", type=positive, default=run_list.DEFAULT_LIMIT, metavar="N",
                    help="at most N runs, across as many pages as that takes (default: %(default)s)")
    ls.add_argument("--cursor", help="start after a previous listing's last run (its next_cursor)")
    json_flag(ls, 'print {"runs": [...], "next_cursor": CURSOR or null}')
    json_flag(with_id(actions.add_parser("get", help="show one run")), 'print {"run": RUN}')
    logs = with_id(actions.add_parser("logs", help="print a run's output"))
    logs.add_argument("--follow", action="store_true", help="keep reading until the run ends; exit with its code")
    json_flag(logs, 'print {"entries": [...]}')
    cancel = actions.add_parser("cancel", help="cancel a run and terminate its instance")
    json_flag(with_id(cancel), 'print {"run": RUN}')
    for name, handler in (("list", run_list.list_runs), ("get", runs.get_run), ("logs", runs.logs),
                          ("cancel", runs.cancel)):
        actions.choices[name].set_defaults(handler=handler)


def usd(text: str) -> float:
    """--max-cost: US dollars, within the API's limits (functions/core/requests.py)."""
    try:
        amount = float(text.strip().removeprefix("$"))
    except ValueError:
        amount = None
    if amount is None or not MIN_MAX_COST_USD <= amount <= MAX_MAX_COST_USD:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount of US dollars from {MIN_MAX_COST_USD:.5f} "
                                         f"to {MAX_MAX_COST_USD}, e.g. 0.50")
    return amount


def duration(text: str) -> int:
    found = durations.to_ms(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration; allowed: {durations.ALLOWED}")
    return found
