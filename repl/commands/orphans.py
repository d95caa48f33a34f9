"""`repl orphan scan|list`: instances of ours that no run record accounts for."""
from repl import output
from repl.commands import Context
from repl.errors import ExitCode

HEADERS = ["INSTANCE", "REGION", "STATE", "RUN", "DEADLINE", "ACTION"]


def scan(args, ctx: Context) -> int:
    result = ctx.client.post("/v1/admin/orphans/scan")
    if args.json:
        ctx.env.out(output.to_json(result))
        return ExitCode.OK
    for item in result["terminated"]:
        ctx.env.out(f"terminated {item['instance_id']} in {item['region']}: {item['reason']}\n")
    ctx.env.out(f"sweep done: {len(result['terminated'])} terminated, {len(result['orphans'])} orphan(s) seen\n")
    return ExitCode.OK


def list_orphans(args, ctx: Context) -> int:
    orphans = ctx.client.get("/v1/admin/orphans")["orphans"]
    if args.json:
        ctx.env.out(output.to_json({"orphans": orphans}))
        return ExitCode.OK
    rows = [[o.get("instance_id"), o.get("region"), o.get("state"), o.get("run_id"), o.get("deadline_at"),
             o.get("action")] for o in orphans]
    ctx.env.out(output.table(HEADERS, rows))
    return ExitCode.OK
