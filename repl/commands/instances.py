"""`repl instance list`: the caller's instances (live ones, or all with --all); `repl instance terminate`."""
from repl import output
from repl.commands import Context
from repl.errors import CliError, ExitCode

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


WAIT_SECONDS, POLL_SECONDS = 120, 1.0


def terminate(args, ctx: Context) -> int:
    """`repl instance terminate ID|RUN`: a kept instance goes now; waits until EC2 confirms (unless --no-wait)."""
    answer = ctx.client.delete(f"/v1/instances/{args.target}")
    run = answer["run"]
    try:
        for _ in range(int(WAIT_SECONDS / POLL_SECONDS) if args.wait else 0):
            if run.get("terminated_at"):
                break
            ctx.env.sleep(POLL_SECONDS)
            run = ctx.client.get(f"/v1/runs/{run['run_id']}")["run"]
    except KeyboardInterrupt:
        ctx.env.err(f"\nstopped waiting; instance {answer['instance']['instance_id']} is being terminated\n")
        return ExitCode.INTERRUPTED
    if args.json:
        ctx.env.out(output.to_json({"instance": answer["instance"], "run": run}))
        return ExitCode.OK
    done = f"terminated at {output.short_time(run['terminated_at'])} UTC" if run.get("terminated_at") \
        else "being terminated"
    ctx.env.out(f"instance {answer['instance']['instance_id']} of run {run['run_id']} {done}\n")
    if args.wait and not run.get("terminated_at"):
        raise CliError(f"EC2 has not confirmed it shutting down after {WAIT_SECONDS} s; see repl run get "
                       f"{run['run_id']}")
    return ExitCode.OK
