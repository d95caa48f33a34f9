"""`repl snapshot create|list|delete`: AMIs of a running run's instance (`repl run --snapshot ID` launches one)."""
from repl import output
from repl.commands import Context
from repl.errors import ExitCode

HEADERS = ["ID", "NAME", "STATE", "REGION", "ARCH", "SOURCE", "CREATED"]
POLL_SECONDS = 3  # between looks at a pending snapshot: EC2 takes minutes to copy a volume


def create(args, ctx: Context) -> int:
    body = {"source": args.source, **({"name": args.name} if args.name else {})}
    snapshot = ctx.client.post("/v1/snapshots", body)["snapshot"]
    if args.wait:
        try:
            snapshot = wait(ctx, snapshot["snapshot_id"])
        except KeyboardInterrupt:
            ctx.env.err(f"\nstopped waiting; snapshot {snapshot['snapshot_id']} goes on: see repl snapshot list\n")
            return ExitCode.INTERRUPTED
    ctx.env.out(output.to_json({"snapshot": snapshot}) if args.json else snapshot["snapshot_id"] + "\n")
    ctx.env.err(_status_line(snapshot) + "\n")
    return ExitCode.ERROR if snapshot["state"] == "failed" else ExitCode.OK


def wait(ctx: Context, snapshot_id: str) -> dict:
    """Until the snapshot is no longer pending (each read makes the API look at the image again)."""
    while True:
        snapshot = ctx.client.get(f"/v1/snapshots/{snapshot_id}")["snapshot"]
        if snapshot["state"] != "pending":
            return snapshot
        ctx.env.sleep(POLL_SECONDS)


def list_snapshots(args, ctx: Context) -> int:
    snapshots = ctx.client.get("/v1/snapshots")["snapshots"]
    if args.json:
        ctx.env.out(output.to_json({"snapshots": snapshots}))
        return ExitCode.OK
    rows = [[s["snapshot_id"], s.get("name"), s.get("state"), s.get("region"), s.get("arch"),
             s.get("source_run") or s.get("source_instance"), output.short_time(s.get("created_at"))]
            for s in snapshots]
    ctx.env.out(output.table(HEADERS, rows))
    return ExitCode.OK


def delete(args, ctx: Context) -> int:
    result = ctx.client.delete(f"/v1/snapshots/{args.snapshot_id}")
    if args.json:
        ctx.env.out(output.to_json(result))
    else:
        ebs = ", ".join(result["snapshot_ids"]) or "none left"
        ctx.env.out(f"deleted snapshot {result['deleted']} (EBS snapshots: {ebs})\n")
    return ExitCode.OK


def _status_line(snapshot: dict) -> str:
    sid, state = snapshot["snapshot_id"], snapshot["state"]
    if state == "available":
        return f"[repl] snapshot {sid} available; launch from it with: repl run --snapshot {sid} -c COMMAND"
    if state == "pending":
        return f"[repl] snapshot {sid} pending; follow it with: repl snapshot list"
    return f"[repl] snapshot {sid} failed; remove it with: repl snapshot delete {sid}"
