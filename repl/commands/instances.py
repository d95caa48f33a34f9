"""`repl instance list`: the caller's instances (live ones, or all with --all)."""
from repl import output
from repl.commands import Context
from repl.errors import ExitCode

HEADERS = ["INSTANCE", "RUN", "STATE", "TYPE", "REGION", "SPOT", "PRICE", "LAUNCHED"]


def list_instances(args, ctx: Context) -> int:
    query = {"all": "true"} if args.all else {}
    instances = ctx.client.get("/v1/instances", **query)["instances"]
    if args.json:
        ctx.env.out(output.to_json({"instances": instances}))
        return ExitCode.OK
    rows = [[i.get("instance_id"), i.get("run_id"), i.get("state"), i.get("instance_type"), i.get("region"),
             i.get("spot"), output.price(i.get("spot_price")), output.short_time(i.get("launched_at"))]
            for i in instances]
    ctx.env.out(output.table(HEADERS, rows))
    return ExitCode.OK
