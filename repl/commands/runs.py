"""`repl run get|logs|cancel`: read and act on existing runs (`repl run list`: run_list.py)."""
from repl import output, pricing, run_lines
from repl.client import ApiError
from repl.commands import Context, about_run
from repl.commands.follow import Follower, detach_message, finish
from repl.errors import CliError, ExitCode


def get_run(args, ctx: Context) -> int:
    with about_run(args.run_id):
        run = ctx.client.get(f"/v1/runs/{args.run_id}")["run"]
    ctx.env.out(output.to_json({"run": run}) if args.json else output.key_values(run_lines.readable_choices(pricing.readable(run))))
    return ExitCode.OK


def logs(args, ctx: Context) -> int:
    follower = Follower(ctx, args.run_id, stream=not args.json, phases=args.follow and not args.json)
    try:
        run = follower.follow() if args.follow else follower.drain(hold=False)[0]
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
