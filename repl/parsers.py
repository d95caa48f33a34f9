"""The argparse definitions of every `repl` command: flags exactly as aws-setup.md writes them."""
import argparse

from functions.core.requests import DEFAULT_MAX_DURATION_MS
from repl import __version__
from repl.commands import cache, instances, local, orphans, run, runs, setup, snapshots, ssh

_RAW = argparse.RawDescriptionHelpFormatter
RUN_EXAMPLES = """\
examples:
  repl run --provider aws --spec "ubuntu:noble:amd64" --command "echo hello world" --max-duration 300000
  repl run --spec t4g.nano --spot --region eu-west-1 -c "python train.py" --detach
  repl run list
  repl run logs r8k2m9xq1d --follow
  repl run cancel r8k2m9xq1d

exit codes: the command's own exit code; 124 max-duration reached; 130 cancelled (or Ctrl-C, which
detaches and leaves the run going); 125 infrastructure error or spot interruption; 2 usage error.
"""
TOP_EXAMPLES = """\
getting started:
  repl local up                      start the embedded stack (no AWS account needed)
  repl run --spec "ubuntu:noble:amd64" --command "echo hello world"
  repl run list
"""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="repl", description="Run a command on a fresh cloud VM, stream its "
                                     "output, and know the VM is gone afterwards.", epilog=TOP_EXAMPLES,
                                     formatter_class=_RAW)
    parser.add_argument("--version", action="version", version=f"repl {__version__}")
    nouns = parser.add_subparsers(dest="noun", required=True)
    run_parser = _run_parser(nouns)
    _instance_parser(nouns)
    _local_parser(nouns)
    _cache_parser(nouns)
    _orphan_parser(nouns)
    _snapshot_parser(nouns)
    _ssh_parsers(nouns)
    args = parser.parse_args(argv)
    if args.handler is run.create:  # required only when creating, not for `run list` and friends
        # a snapshot brings its own arch (and so a default type): --spec is then optional
        missing = [flag for flag, value in (("--spec", args.spec or args.snapshot), ("--command", args.command))
                   if not value]
        if missing:
            run_parser.error("the following arguments are required: " + ", ".join(missing))
    return args


def _run_parser(nouns) -> argparse.ArgumentParser:
    p = nouns.add_parser("run", help="run a command on a new instance, or list and manage runs",
                         description="Run a command on a fresh instance and follow its output; or manage runs.",
                         epilog=RUN_EXAMPLES, formatter_class=_RAW)
    p.add_argument("--provider", default="aws", help="cloud provider (default: aws)")
    p.add_argument("--spec", help="an EC2 instance type (t3.micro, c8g.large) or "
                   "ubuntu:<noble|jammy|focal>:<amd64|arm64>")
    p.add_argument("-c", "--command", help="the shell command to run")
    p.add_argument("--max-duration", type=int, default=DEFAULT_MAX_DURATION_MS, metavar="MS",
                   help="hard limit in milliseconds, boot included (default: %(default)s = 1 h)")
    p.add_argument("--spot", action="store_true", help="use a spot instance")
    p.add_argument("--region", help="AWS region (default: the control plane's)")
    p.add_argument("--snapshot", metavar="ID", help="launch from this snapshot (see repl snapshot --help); "
                   "region and arch are the snapshot's, --spec defaults to t3.micro or t4g.micro")
    p.add_argument("--detach", action="store_true", help="print the run id and return at once")
    _json_flag(p, "print the final run as JSON instead of streaming its output")
    p.set_defaults(handler=run.create)
    _run_actions(p.add_subparsers(dest="action", metavar="{list,get,logs,cancel}"))
    return p


def _run_actions(actions) -> None:
    _json_flag(actions.add_parser("list", help="list your runs, newest first"), 'print {"runs": [...]}')
    _json_flag(_with_id(actions.add_parser("get", help="show one run")), 'print {"run": RUN}')
    logs = _with_id(actions.add_parser("logs", help="print a run's output"))
    logs.add_argument("--follow", action="store_true", help="keep reading until the run ends; exit with its code")
    _json_flag(logs, 'print {"entries": [...]}')
    cancel = actions.add_parser("cancel", help="cancel a run and terminate its instance")
    _json_flag(_with_id(cancel), 'print {"run": RUN}')
    for name, handler in (("list", runs.list_runs), ("get", runs.get_run), ("logs", runs.logs),
                          ("cancel", runs.cancel)):
        actions.choices[name].set_defaults(handler=handler)


def _instance_parser(nouns) -> None:
    p = nouns.add_parser("instance", help="list instances").add_subparsers(dest="action", required=True)
    ls = p.add_parser("list", help="your live instances (all of them with --all)")
    ls.add_argument("--all", action="store_true", help="include terminated instances")
    _json_flag(ls, "print {\"instances\": [...]}").set_defaults(handler=instances.list_instances)


def _local_parser(nouns) -> None:
    p = nouns.add_parser("local", help="the embedded stack: the control plane and emulated AWS on this machine")
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("up", help="start it in the background (if not running)").set_defaults(handler=local.up)
    actions.add_parser("down", help="stop it").set_defaults(handler=local.down)
    status = _json_flag(actions.add_parser("status", help="show where it listens"), "print its fields as JSON")
    status.set_defaults(handler=local.status)
    actions.add_parser("env", help="print AWS_* exports for the emulated account").set_defaults(handler=local.env)


def _orphan_parser(nouns) -> None:
    p = nouns.add_parser("orphan", help="instances of ours that no run record accounts for")
    actions = p.add_subparsers(dest="action", required=True)
    _json_flag(actions.add_parser("scan", help="run the sweeper now: terminate what is past its deadline or "
                                  "whose run has ended, record orphans (example: repl orphan scan)"),
               'print {"terminated": [...], "orphans": [...]}').set_defaults(handler=orphans.scan)
    _json_flag(actions.add_parser("list", help="the orphans the sweeper has recorded"),
               'print {"orphans": [...]}').set_defaults(handler=orphans.list_orphans)


def _cache_parser(nouns) -> None:
    p = nouns.add_parser("cache", help="the control plane's AMI cache (24 h per region, version and arch)")
    clear = p.add_subparsers(dest="action", required=True).add_parser(
        "clear", help="force a fresh AMI lookup on the next launch (example: repl cache clear)")
    _json_flag(clear, 'print {"cleared": N}').set_defaults(handler=cache.clear)


def _snapshot_parser(nouns) -> None:
    p = nouns.add_parser("snapshot", help="AMIs of a running run's instance, to launch later runs from",
                         epilog=snapshots.EXAMPLES, formatter_class=_RAW)
    actions = p.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="image a running run's instance (no reboot)",
                                epilog=snapshots.EXAMPLES, formatter_class=_RAW)
    create.add_argument("source", metavar="RUN_OR_INSTANCE", help="a running run's id, or its instance's id")
    create.add_argument("--name", help="the image's name (default: repl-<control id>-<run id>-<UTC time>)")
    create.add_argument("--wait", action="store_true", help="wait until it is available (or has failed)")
    _json_flag(create, 'print {"snapshot": SNAPSHOT}').set_defaults(handler=snapshots.create)
    ls = _json_flag(actions.add_parser("list", help="your snapshots, newest first"), 'print {"snapshots": [...]}')
    ls.set_defaults(handler=snapshots.list_snapshots)
    delete = actions.add_parser("delete", help="deregister the image, then delete its EBS snapshots")
    delete.add_argument("snapshot_id", metavar="ID", help="the snapshot's id (ami-...)")
    _json_flag(delete, 'print {"deleted": ID, "snapshot_ids": [...]}').set_defaults(handler=snapshots.delete)


def _ssh_parsers(nouns) -> None:
    config = nouns.add_parser("ssh-config", help="write ~/.repl/ssh_config (a `repl-<run id>` host per running "
                              "instance) and the keys it needs")
    _json_flag(config, "print what was written as JSON").set_defaults(handler=ssh.ssh_config)
    p = nouns.add_parser("ssh", help="SSH into a running run's instance (example: repl ssh r8k2m9xq1d -- uptime)")
    p.add_argument("target", metavar="RUN_OR_INSTANCE", help="a run id (or repl-<run id>) or an instance id")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD", help="run CMD instead of a login shell")
    p.set_defaults(handler=ssh.ssh)
    s = nouns.add_parser("setup", help="save the API URL, check the control plane answers, and set up SSH")
    s.add_argument("--api-url", metavar="URL", help="the API's URL (http or https), saved to ~/.repl/config.toml")
    s.set_defaults(handler=setup.setup)


def _with_id(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("run_id", metavar="ID", help="the run's id")
    return p


def _json_flag(p: argparse.ArgumentParser, help_text: str) -> argparse.ArgumentParser:
    p.add_argument("--json", action="store_true", help=help_text)
    return p
