"""`repl run list|get|logs|cancel`: read and act on existing runs."""
from repl import output
from repl.client import ApiError
from repl.commands import Context, about_run
from repl.commands.follow import Follower, detach_message, finish
from repl.errors import CliError, ExitCode

HEADERS = ["ID", "STATUS", "EXIT", "SPEC", "TYPE", "REGION", "CREATED", "COMMAND"]


def list_runs(args, ctx: Context) -> int:
    runs = sorted(ctx.client.get("/v1/runs")["runs"], key=lambda r: r.get("created_at") or "", reverse=True)
    if args.json:
        ctx.env.out(output.to_json({"runs": runs}))
        return ExitCode.OK
    rows = [[r["id"], r["status"], r.get("exit_code"), r.get("spec"), r.get("instance_type"), r.get("region"),
             output.short_time(r.get("created_at")), output.shorten(r.get("command") or "")] for r in runs]
    colour = ctx.env.colour(ctx.env.stdout)
    ctx.env.out(output.table(HEADERS, rows, lambda i, text: output.paint(text, text, colour and i == 1)))
    return ExitCode.OK


def get_run(args, ctx: Context) -> int:
    with about_run(args.run_id):
        run = ctx.client.get(f"/v1/runs/{args.run_id}")["run"]
    ctx.env.out(output.to_json({"run": run}) if args.json else output.key_values(run))
    return ExitCode.OK


def logs(args, ctx: Context) -> int:
    follower = Follower(ctx, args.run_id, stream=not args.json, phases=args.follow and not args.json)
    try:
        run = follower.follow() if args.follow else follower.drain()
    except KeyboardInterrupt:
        ctx.env.err(detach_message(args.run_id))
        return ExitCode.INTERRUPTED
    if args.json:
        ctx.env.out(output.to_json({"entries": follower.entries}))
    return finish(ctx, run) if args.follow else ExitCode.OK


def cancel(args, ctx: Context) -> int:
    try:
        with about_run(args.run_id):
            run = ctx.client.post(f"/v1/runs/{args.run_id}/cancel")["run"]
    except ApiError as err:
        if err.status != 409:
            raise
        status = ctx.client.get(f"/v1/runs/{args.run_id}")["run"]["status"]
        raise CliError(f"run {args.run_id} has already ended ({status})") from None
    ctx.env.out(output.to_json({"run": run}) if args.json else f"cancelling run {args.run_id}\n")
    return ExitCode.OK
