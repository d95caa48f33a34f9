"""`repl pool create|list|get|resize|delete`: instances kept booted for your runs that match (a run
takes one and starts at once; `repl run --no-pool` launches fresh)."""
from repl import durations, output
from repl.client import ApiError
from repl.commands import Context
from repl.errors import CliError, ExitCode

HEADERS = ["NAME", "STATE", "SPEC", "REGION", "SPOT", "SIZE", "IDLE", "BOOTING", "CLAIMED", "IDLE COST"]
POLL_SECONDS = 1.0
WAIT_SECONDS = 900  # --wait gives up after this (a pool filling, or being deleted)


def create(args, ctx: Context) -> int:
    body = {"name": args.name, "size": args.size, "spot": args.spot,
            **{k: v for k, v in (("spec", args.spec), ("region", args.region), ("snapshot", args.snapshot),
                                 ("idle_timeout_ms", args.idle_timeout), ("max_age_ms", args.max_age)) if v is not None}}
    pool = ctx.client.post("/v1/pools", body)["pool"]
    return _settle(args, ctx, pool, filled)


def list_pools(args, ctx: Context) -> int:
    pools = ctx.client.get("/v1/pools")["pools"]
    if args.json:
        ctx.env.out(output.to_json({"pools": pools}))
        return ExitCode.OK
    rows = [[p["name"], p["state"], p["spec"], p["region"], p["spot"], p["size"], p["idle"], p["booting"],
             p["claimed"], output.price(p["idle_cost_usd_per_hour"])] for p in pools]
    ctx.env.out(output.table(HEADERS, rows))
    idle_cost = [p["idle_cost_usd_per_hour"] for p in pools if p["idle_cost_usd_per_hour"] is not None]
    if pools:
        ctx.env.err(f"[repl] idle instances cost {output.price(sum(idle_cost))} in all"
                    f"{' (some prices not known yet)' if len(idle_cost) < len(pools) else ''}\n")
    return ExitCode.OK


def get(args, ctx: Context) -> int:
    pool = ctx.client.get(f"/v1/pools/{args.name}")["pool"]
    ctx.env.out(output.to_json({"pool": pool}) if args.json else describe(pool))
    return ExitCode.OK


def resize(args, ctx: Context) -> int:
    pool = ctx.client.patch(f"/v1/pools/{args.name}", {"size": args.size})["pool"]
    return _settle(args, ctx, pool, filled)


def delete(args, ctx: Context) -> int:
    pool = ctx.client.delete(f"/v1/pools/{args.name}")["pool"]
    if not args.wait:
        ctx.env.out(output.to_json({"pool": pool}) if args.json else f"pool {args.name} is being deleted\n")
        ctx.env.err(f"[repl] its idle instances are being terminated; repl pool get {args.name} follows it\n")
        return ExitCode.OK
    try:
        _wait(ctx, args.name, lambda p: False)
    except KeyboardInterrupt:
        ctx.env.err(f"\nstopped waiting; pool {args.name} is still being deleted: see repl pool list\n")
        return ExitCode.INTERRUPTED
    ctx.env.out(output.to_json({"deleted": args.name}) if args.json else f"deleted pool {args.name}\n")
    return ExitCode.OK


def filled(pool: dict) -> bool:
    return pool["idle"] == pool["size"] and pool["booting"] == 0


def describe(pool: dict) -> str:
    lines = [f"pool {pool['name']} ({pool['state']}): {pool['size']} x {pool['spec']} in {pool['region']}"
             f"{' (spot)' if pool['spot'] else ''}{' from ' + pool['snapshot'] if pool['snapshot'] else ''}",
             f"  idle {pool['idle']}, booting {pool['booting']}, claimed {pool['claimed']}; idle cost "
             f"{output.price(pool['idle_cost_usd_per_hour'])}",
             f"  empties after {durations.text(pool['idle_timeout_ms'])} unused; an instance is replaced after "
             f"{durations.text(pool['max_age_ms'])} idle",
             *(f"  {i['instance_id'] or '-'}  {i['state']}  {'run ' + i['run_id'] if i['run_id'] else 'idle' if i['registered_at'] else 'booting'}"
               f"  until {output.short_time(i['expires_at'])}" for i in pool["instances"])]
    return "\n".join(lines) + "\n"


def _settle(args, ctx: Context, pool: dict, done) -> int:
    """Print the pool, once filled with --wait (Ctrl-C stops waiting, not the pool)."""
    if args.wait:
        try:
            pool = _wait(ctx, pool["name"], done)
        except KeyboardInterrupt:
            ctx.env.err(f"\nstopped waiting; pool {pool['name']} goes on filling: see repl pool get {pool['name']}\n")
            return ExitCode.INTERRUPTED
    ctx.env.out(output.to_json({"pool": pool}) if args.json else describe(pool))
    if not done(pool):
        ctx.env.err(f"[repl] pool {pool['name']} is filling ({pool['idle']} of {pool['size']} idle); "
                    f"repl pool get {pool['name']} follows it\n")
    return ExitCode.OK


def _wait(ctx: Context, name: str, done) -> dict:
    """Until done(pool), or the pool is gone (deleted: returns None)."""
    for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
        try:
            pool = ctx.client.get(f"/v1/pools/{name}")["pool"]
        except ApiError as err:
            if err.status == 404:
                return None
            raise
        if done(pool):
            return pool
        ctx.env.sleep(POLL_SECONDS)
    raise CliError(f"pool {name}: still not settled after {WAIT_SECONDS} s; see repl pool get {name}")
