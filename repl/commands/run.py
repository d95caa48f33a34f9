"""`repl run --spec ... --command ...`: create a run, then follow it (or detach) and exit with its code."""
from functions.core.errors import Invalid
from functions.core.requests import parse_run_request
from repl import output
from repl.commands import Context
from repl.commands.follow import Follower, detach_message, finish, wait
from repl.errors import CliError, ExitCode


def create(args, ctx: Context) -> int:
    body = request_body(args)  # before the client: a typo must not wait on the control plane's resolution
    run = ctx.client.post("/v1/runs", body)["run"]
    if args.detach:
        ctx.env.out(output.to_json({"run": run}) if args.json else run["id"] + "\n")
        return ExitCode.OK
    try:
        return attach(ctx, run["id"], args.json)
    except KeyboardInterrupt:  # Ctrl-C detaches: the run goes on, and the user learns how to get back to it
        ctx.env.err(detach_message(run["id"]))
        return ExitCode.INTERRUPTED


def attach(ctx: Context, run_id: str, as_json: bool) -> int:
    if as_json:
        run = wait(ctx, run_id)
        ctx.env.out(output.to_json({"run": run}))
    else:
        run = Follower(ctx, run_id).follow()
    return finish(ctx, run)


def request_body(args) -> dict:
    body = {"provider": args.provider, "spec": args.spec, "command": args.command,
            "max_duration_ms": args.max_duration, "spot": args.spot}
    if args.region:
        body["region"] = args.region
    try:  # the API validates too; checking here first gives the same message without a round trip
        parse_run_request(body, default_region="us-east-1")
    except Invalid as err:
        raise CliError(err.message, ExitCode.USAGE) from None
    return body
