"""`repl run --spec ... --command ...`: create a run, then follow it (or detach) and exit with its code."""
import uuid
from pathlib import Path

from repl import output, settings, sync
from repl.client import ApiError, Unreachable
from repl.commands import Context, artifacts
from repl.commands.dry_run import describe
from repl.commands.follow import Follower, detach_message, finish, wait
from repl.errors import CliError, ExitCode

CREATE_ATTEMPTS = 3
RETRY_SECONDS = 1.0  # then 2 s
RETRIED_STATUSES = (429, 500, 502, 503, 504)  # throttled, or the Lambda failed before answering


def create(args, ctx: Context) -> int:
    resolved = settings.resolve(args, ctx.env)  # repl.toml, with its profile; errors name the file
    _require(args, resolved)
    # before the client: a typo costs no round trip
    body = settings.request_body(resolved, args.command, args.snapshot, args.max_cost, args.pool, args.no_pool,
                                 args.keep_alive)
    if args.dry_run:  # must not wait on the control plane's resolution, and a dry run never needs one
        ctx.env.out(describe(resolved, body, args.json))
        return ExitCode.OK
    if not args.no_sync:
        body["workdir"] = {"sha256": sync_workdir(ctx, Path(args.workdir) if args.workdir else ctx.env.cwd,
                                                  named=bool(args.workdir))}
    run = post_run(ctx, body)
    if args.detach:
        ctx.env.out(output.to_json({"run": run}) if args.json else run["run_id"] + "\n")
        return ExitCode.OK
    try:
        code = attach(ctx, run, args.json)
    except KeyboardInterrupt:  # Ctrl-C detaches: the run goes on, and the user learns how to get back to it
        ctx.env.err(detach_message(run["run_id"]))
        return ExitCode.INTERRUPTED
    artifacts.summary(ctx, run["run_id"], body.get("artifacts"))
    return code


def _require(args, resolved: settings.Resolved) -> None:
    """--command always, and --spec unless a snapshot (its own arch and default type) or repl.toml gives one."""
    missing = [flag for flag, value in (("--spec", resolved.values.get("spec") or args.snapshot),
                                        ("--command", args.command)) if not value]
    if missing:
        hint = "; --spec can also be set in repl.toml (see README, Profiles)" if "--spec" in missing else ""
        raise CliError("the following arguments are required: " + ", ".join(missing) + hint, ExitCode.USAGE,
                       usage=args.format_usage())


def sync_workdir(ctx: Context, root: Path, named: bool) -> str:
    """Pack the working directory, upload it unless the control plane has it already; its SHA-256.
    `named`: --workdir said which directory, so what it holds is what the user meant to ship."""
    if not root.is_dir():
        raise CliError(f"--workdir: {root} is not a directory", ExitCode.USAGE)
    tree = sync.plan(root.resolve(), never=(str(ctx.env.config_dir),))  # ~/.repl holds keys: never shipped
    secrets = [] if named else sync.secrets_in(tree, ctx.env.home)
    if secrets:
        raise CliError(f"the working directory {root} was not shipped: " + "; ".join(secrets) + ". Run from "
                       "the project's directory, list what must stay behind in .replignore, name the directory "
                       "with --workdir to ship it as it is, or pass --no-sync", ExitCode.USAGE)
    archive = sync.pack(tree)
    try:
        url = ctx.client.post("/v1/workdirs", {"sha256": archive.sha256, "size": archive.size})["upload_url"]
        if url:
            sync.upload(archive, url)
    finally:
        archive.path.unlink()
    if url:  # an unchanged tree goes unsaid: the control plane had it, nothing was sent
        ctx.env.err(f"[repl] workdir {root}: {output.files(archive.files)}, {output.size(archive.size)} uploaded\n")
    return archive.sha256


def post_run(ctx: Context, body: dict) -> dict:
    """POST /v1/runs, retried when the answer is lost or the gateway is briefly unavailable: every
    attempt carries the same Idempotency-Key, so the control plane creates one run at most."""
    key = str(uuid.uuid4())
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return ctx.client.post("/v1/runs", body, headers={"Idempotency-Key": key})["run"]
        except (Unreachable, ApiError) as err:
            if attempt == CREATE_ATTEMPTS or (isinstance(err, ApiError) and (
                    err.status not in RETRIED_STATUSES or err.code == "limit_reached")):  # a limit: no retry will do
                raise
            ctx.env.sleep(RETRY_SECONDS * attempt)
    raise AssertionError("unreachable")


def attach(ctx: Context, created: dict, as_json: bool) -> int:
    run_id = created["run_id"]
    if as_json:
        run = wait(ctx, run_id, created)
        ctx.env.out(output.to_json({"run": run}))
        return finish(ctx, run)
    follower = Follower(ctx, run_id, run=created)
    run = follower.follow()
    # (a terminal's status line has already moved below a line the output left open)
    return finish(ctx, run, open_line=follower.open_line and not follower.status.live)
