"""`repl run --spec ... --command ...`: create a run, then follow it (or detach) and exit with its code."""
import uuid

from functions.core.errors import Invalid
from functions.core.requests import parse_run_request
from repl import output
from repl.client import ApiError, Unreachable
from repl.commands import Context
from repl.commands.follow import Follower, detach_message, finish, wait
from repl.errors import CliError, ExitCode

CREATE_ATTEMPTS = 3
RETRY_SECONDS = 1.0  # then 2 s
RETRIED_STATUSES = (429, 500, 502, 503, 504)  # throttled, or the Lambda failed before answering


def create(args, ctx: Context) -> int:
    body = request_body(args)  # before the client: a typo must not wait on the control plane's resolution
    run = post_run(ctx, body)
    if args.detach:
        ctx.env.out(output.to_json({"run": run}) if args.json else run["id"] + "\n")
        return ExitCode.OK
    try:
        return attach(ctx, run["id"], args.json)
    except KeyboardInterrupt:  # Ctrl-C detaches: the run goes on, and the user learns how to get back to it
        ctx.env.err(detach_message(run["id"]))
        return ExitCode.INTERRUPTED


def post_run(ctx: Context, body: dict) -> dict:
    """POST /v1/runs, retried when the answer is lost or the gateway is briefly unavailable: every
    attempt carries the same Idempotency-Key, so the control plane creates one run at most."""
    key = str(uuid.uuid4())
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return ctx.client.post("/v1/runs", body, headers={"Idempotency-Key": key})["run"]
        except (Unreachable, ApiError) as err:
            if attempt == CREATE_ATTEMPTS or (isinstance(err, ApiError) and err.status not in RETRIED_STATUSES):
                raise
            ctx.env.sleep(RETRY_SECONDS * attempt)
    raise AssertionError("unreachable")


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
    if args.snapshot:  # the API takes region, arch and a default spec from the snapshot
        body["snapshot"] = args.snapshot
    try:  # the API validates too; checking here first gives the same message without a round trip
        parse_run_request(body, default_region="us-east-1")
    except Invalid as err:
        raise CliError(err.message, ExitCode.USAGE) from None
    return body
