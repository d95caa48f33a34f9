"""`repl cache clear`: forget the control plane's cached AMI lookups, so the next launch resolves afresh."""
from repl import output
from repl.commands import Context
from repl.errors import ExitCode


def clear(args, ctx: Context) -> int:
    cleared = ctx.client.post("/v1/admin/cache/clear")["cleared"]
    if args.json:
        ctx.env.out(output.to_json({"cleared": cleared}))
    else:
        ctx.env.out(f"AMI cache cleared ({cleared} entr{'y' if cleared == 1 else 'ies'}); "
                    "the next launch in each region looks the newest image up again\n")
    return ExitCode.OK
