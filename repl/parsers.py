"""The argparse tree of every `repl` command (`repl run`'s own: run_parser.py)."""
import argparse
import sys

from functions.core.pools import MAX_POOL_SIZE

from repl import examples, flags, version
from repl.commands import (artifacts, cache, completion, cost, dashboard, instances, local, orphans, pools, setup,
                           snapshots, ssh)
from repl.parser_parts import RAW, json_flag, noun, with_id
from repl.run_parser import duration
from repl.run_parser import add_run


def parse(argv: list[str]) -> argparse.Namespace:
    parser = build()
    flags.check(parser, argv)  # an unknown flag named as such, not as argparse's "invalid choice" of its value
    return parser.parse_args(argv)


def build() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repl", description="Run a command on a fresh cloud VM, stream its "
                                     "output, and know the VM is gone afterwards.", epilog=examples.TOP,
                                     formatter_class=RAW)
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    nouns = parser.add_subparsers(dest="noun", required=True)
    add_run(nouns)
    for add in (_artifact, _instance, _local, _cache, _orphan, _snapshot, _pool, _ssh, _setup, _cost, _dashboard,
                _completion):
        add(nouns)
    return parser


def _artifact(nouns) -> None:
    p = noun(nouns, "artifact", "the files a run uploaded (repl run --artifacts GLOB)", examples.ARTIFACT)
    actions = p.add_subparsers(dest="action", required=True)
    ls = with_id(actions.add_parser("list", help="a run's artifacts: path, size, time modified",
                                    epilog=examples.ARTIFACT, formatter_class=RAW))
    json_flag(ls, 'print {"run_id": ID, "artifacts": [...]} (without the download links: each is a secret '
              "for an hour)").set_defaults(handler=artifacts.list_artifacts)
    fetch = with_id(actions.add_parser("download", help="write a run's artifacts here (or under --to DIR), each "
                                       "checked against its size and MD5", epilog=examples.ARTIFACT,
                                       formatter_class=RAW))
    fetch.add_argument("--to", metavar="DIR", help="write out/a.txt as DIR/out/a.txt (default: this directory)")
    fetch.add_argument("--force", action="store_true", help="overwrite files that exist and differ (without it, "
                       "nothing is downloaded then); identical ones are always left as they are")
    json_flag(fetch, 'print {"run_id": ID, "to": DIR, "downloaded": [...], "unchanged": [...]}')
    fetch.set_defaults(handler=artifacts.download)


def _instance(nouns) -> None:
    p = noun(nouns, "instance", "list instances, end a kept one", examples.INSTANCE).add_subparsers(
        dest="action", required=True)
    ls = p.add_parser("list", help="your live instances (all of them with --all)")
    ls.add_argument("--all", action="store_true", help="include terminated instances")
    json_flag(ls, "print {\"instances\": [...]}").set_defaults(handler=instances.list_instances)
    end = p.add_parser("terminate", help="terminate an instance kept after its command (repl run --keep-alive) now")
    end.add_argument("target", metavar="ID|RUN", help="the instance's id (i-0abc...) or its run's id")
    end.add_argument("--no-wait", dest="wait", action="store_false",
                     help="return once asked, without waiting for EC2 to confirm")
    json_flag(end, 'print {"instance": INSTANCE, "run": RUN}').set_defaults(handler=instances.terminate)


def _local(nouns) -> None:
    p = noun(nouns, "local", "the embedded stack: the control plane and emulated AWS on this machine",
             examples.LOCAL)
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("up", help="start it in the background (if not running)").set_defaults(handler=local.up)
    down = actions.add_parser("down", help="stop it, once the runs in flight are cancelled and their instances "
                              "terminated (its history stays: the next `up` has it)")
    down.add_argument("--now", action="store_true", help="stop at once: runs in flight are ended by the next `up`")
    down.set_defaults(handler=local.down)
    status = json_flag(actions.add_parser("status", help="show where it listens"), "print its fields as JSON")
    status.set_defaults(handler=local.status)
    actions.add_parser("env", help="print AWS_* exports for the emulated account").set_defaults(handler=local.env)


def _orphan(nouns) -> None:
    p = noun(nouns, "orphan", "instances of ours that no run record accounts for", examples.ORPHAN)
    actions = p.add_subparsers(dest="action", required=True)
    json_flag(actions.add_parser("scan", help="run the sweeper now: terminate what is past its deadline or "
                                 "whose run has ended, record orphans"),
              'print {"terminated": [...], "orphans": [...]}').set_defaults(handler=orphans.scan)
    json_flag(actions.add_parser("list", help="the orphans the sweeper has recorded"),
              'print {"orphans": [...]}').set_defaults(handler=orphans.list_orphans)


def _cache(nouns) -> None:
    p = noun(nouns, "cache", "the control plane's AMI cache (24 h per region, version and arch)", examples.CACHE)
    clear = p.add_subparsers(dest="action", required=True).add_parser(
        "clear", help="force a fresh AMI lookup on the next launch")
    json_flag(clear, 'print {"cleared": N}').set_defaults(handler=cache.clear)


def _snapshot(nouns) -> None:
    p = noun(nouns, "snapshot", "AMIs of a running run's instance, to launch later runs from", examples.SNAPSHOT)
    actions = p.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="image a running run's instance (no reboot)",
                                epilog=examples.SNAPSHOT, formatter_class=RAW)
    create.add_argument("source", metavar="RUN_OR_INSTANCE", help="a running run's id, or its instance's id")
    create.add_argument("--name", help="the image's name (default: repl-<control id>-<run id>-<UTC time>)")
    create.add_argument("--wait", action="store_true", help="wait until it is available (or has failed)")
    json_flag(create, 'print {"snapshot": SNAPSHOT}').set_defaults(handler=snapshots.create)
    ls = json_flag(actions.add_parser("list", help="your snapshots, newest first"), 'print {"snapshots": [...]}')
    ls.set_defaults(handler=snapshots.list_snapshots)
    delete = actions.add_parser("delete", help="deregister the image, then delete its EBS snapshots")
    delete.add_argument("snapshot_id", metavar="ID", help="the snapshot's id (ami-...)")
    json_flag(delete, 'print {"deleted": ID, "snapshot_ids": [...]}').set_defaults(handler=snapshots.delete)


def _pool(nouns) -> None:
    p = noun(nouns, "pool", "instances kept booted for your matching runs, which then start at once", examples.POOL)
    actions = p.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="keep SIZE instances of a spec booted and idle",
                                epilog=examples.POOL, formatter_class=RAW)
    create.add_argument("name", metavar="NAME", help="1 to 32 lower-case letters, digits and -")
    create.add_argument("--spec", help="as repl run's (required unless --snapshot)")
    create.add_argument("--size", type=pool_size, required=True, metavar="N", help="instances to keep (0 to 20)")
    create.add_argument("--spot", action="store_true", help="spot instances, by persistent spot requests")
    create.add_argument("--region", help="AWS region (default: the control plane's, or the snapshot's)")
    create.add_argument("--snapshot", metavar="ID", help="boot them from this snapshot (runs must name it too)")
    create.add_argument("--idle-timeout", type=duration, metavar="DURATION",
                        help="unused this long, the pool empties until a run matches it again (default: 30m)")
    create.add_argument("--max-age", type=duration, metavar="DURATION",
                        help="an idle instance is replaced after this long (default: 12h)")
    create.add_argument("--wait", action="store_true", help="return once every instance is booted and idle")
    json_flag(create, 'print {"pool": POOL}').set_defaults(handler=pools.create)
    json_flag(actions.add_parser("list", help="your pools and what their idle instances cost per hour"),
              'print {"pools": [...]}').set_defaults(handler=pools.list_pools)
    get = actions.add_parser("get", help="one pool and its instances")
    get.add_argument("name", metavar="NAME")
    json_flag(get, 'print {"pool": POOL}').set_defaults(handler=pools.get)
    resize = actions.add_parser("resize", help="keep N instances from now on (0: none, the pool stays)")
    resize.add_argument("name", metavar="NAME")
    resize.add_argument("--size", type=pool_size, required=True, metavar="N")
    resize.add_argument("--wait", action="store_true", help="return once the pool is at its new size")
    json_flag(resize, 'print {"pool": POOL}').set_defaults(handler=pools.resize)
    delete = actions.add_parser("delete", help="terminate its idle instances (runs on the others go on) and "
                                "remove it")
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--no-wait", dest="wait", action="store_false",
                        help="return at once instead of once every idle instance is terminated")
    json_flag(delete, 'print {"deleted": NAME}').set_defaults(handler=pools.delete)


def pool_size(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= MAX_POOL_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r} is not a pool size; allowed: a whole number from 0 to {MAX_POOL_SIZE}")
    return int(text)


REGION_KEY_HELP = ("administrators: log in with the region's key pair (GET /v1/admin/keys/{region}, saved to "
                   "~/.repl/keys/aws-<region>.pem) instead of a key of your own made for the run")


def _ssh(nouns) -> None:
    config = noun(nouns, "ssh-config", "write ~/.repl/ssh_config (a `repl-<run id>` host per running instance) "
                  "and the keys it needs", examples.SSH_CONFIG)
    config.add_argument("--region-key", action="store_true", help=REGION_KEY_HELP)
    json_flag(config, "print what was written as JSON").set_defaults(handler=ssh.ssh_config)
    p = noun(nouns, "ssh", "SSH into a running run's instance", examples.SSH)
    p.add_argument("--region-key", action="store_true", help=REGION_KEY_HELP)
    p.add_argument("target", metavar="RUN_OR_INSTANCE", help="a run id (or repl-<run id>) or an instance id")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD", help="run CMD instead of a login shell")
    p.set_defaults(handler=ssh.ssh)


def _setup(nouns) -> None:
    s = noun(nouns, "setup", "save the API URL, check the control plane answers, and set up SSH", examples.SETUP)
    where = s.add_mutually_exclusive_group()
    where.add_argument("--api-url", metavar="URL", help="the API's URL (http or https), saved to ~/.repl/config.toml")
    where.add_argument("--stack", metavar="NAME", help="take the URL from this CDK stack's ApiUrl output (default, "
                       f"when no URL is configured yet: {setup.DEFAULT_STACK})")
    s.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    s.set_defaults(handler=setup.setup)


def _cost(nouns) -> None:
    p = json_flag(noun(nouns, "cost", "what your runs cost: runs, instance hours and USD, grouped", examples.COST),
                  'print {"since", "by", "groups": [...], "total"}')
    p.add_argument("--since", type=cost.since_date, metavar="DATE",
                   help=f"runs created on DATE (YYYY-MM-DD, UTC) or later (default: the last {cost.DEFAULT_DAYS} days)")
    p.add_argument("--by", choices=tuple(cost.BY), default="spec", help="group by instance type (default), region "
                   "or the day the run was created")
    p.set_defaults(handler=cost.cost)


def _dashboard(nouns) -> None:
    p = noun(nouns, "dashboard", "a web UI on 127.0.0.1 (runs, logs, cancel, instances, snapshots) until Ctrl-C",
             examples.DASHBOARD)
    p.add_argument("--port", type=_port, default=0, help="listen on this port (default: a free one)")
    p.add_argument("--no-open", action="store_true", help="print the URL only: do not open a browser")
    p.set_defaults(handler=dashboard.dashboard)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 0 to 65535 (0: a free one)")
    return int(text)


def _completion(nouns) -> None:
    p = noun(nouns, "completion", "print a shell completion script: eval \"$(repl completion bash)\"",
             examples.COMPLETION)
    p.add_argument("shell", choices=completion.SHELLS, help="the shell to complete for")
    p.set_defaults(handler=completion.print_script)


class _Version(argparse.Action):
    """argparse's "version" action with the version looked up only when the flag is given."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"repl {version()}", file=sys.stdout)  # stdout, as argparse's own version action
        parser.exit()
