"""`repl run list [--status S] [--limit N] [--cursor C]`: your runs, newest first, a page at a time."""
import shlex

from functions.core import states
from repl import output, pricing, run_lines
from repl.client import Client
from repl.commands import Context
from repl.errors import ExitCode

HEADERS = ["ID", "STATUS", "EXIT", "SPEC", "REGION", "SPOT", "CREATED", "DURATION", "COST", "COMMAND"]
API_PAGE_MAX = 200  # the largest page GET /v1/runs answers (?limit=1..200)
DEFAULT_LIMIT = 50  # the API's own default page


def list_runs(args, ctx: Context) -> int:
    runs, next_cursor = fetch(ctx.client, args.limit, set(args.status or ()), args.cursor)
    runs.sort(key=lambda r: r.get("created_at") or "", reverse=True)  # the API's order, made sure of
    if args.json:
        ctx.env.out(output.to_json({"runs": runs, "next_cursor": next_cursor}))
        return ExitCode.OK
    now = ctx.env.clock()
    rows = [[r["run_id"], r["status"], r.get("exit_code"), _spec(r), r.get("region"), r.get("spot"),
             output.short_time(r.get("created_at")), _duration(r, now), pricing.cost_cell(r),
             output.shorten(r.get("command") or "")]
            for r in runs]
    colour = ctx.env.colour(ctx.env.stdout)
    ctx.env.out(output.table(HEADERS, rows, lambda i, text: output.paint(text, text, colour and i == 1)))
    if next_cursor:  # on stderr: stdout stays the table alone, for `| grep` and friends
        ctx.env.err(f"[repl] more runs: {next_command(args, next_cursor)}\n")
    return ExitCode.OK


def fetch(client: Client, limit: int, statuses: set, cursor: str | None) -> tuple[list, str | None]:
    """Up to `limit` runs (of `statuses` only, if any) from `cursor` on, following next_cursor; and the
    cursor that continues right after the last one returned (None at the end).

    The API has no status filter, so one is applied here, on pages as large as the API gives."""
    runs = []
    while True:
        size = API_PAGE_MAX if statuses else min(limit - len(runs), API_PAGE_MAX)
        page = client.get("/v1/runs", limit=size, **_from(cursor))
        for taken, run in enumerate(page["runs"], start=1):
            if statuses and run["status"] not in statuses:
                continue
            runs.append(run)
            if len(runs) == limit:
                return runs, _cursor_after(client, cursor, taken, page)
        cursor = page.get("next_cursor")
        if not cursor:
            return runs, None


def _cursor_after(client: Client, start: str | None, taken: int, page: dict) -> str | None:
    """The cursor just past the page's first `taken` runs. Cursors are opaque: when the limit is reached
    mid-page, the same page is asked for again, `taken` runs long, and its next_cursor is that cursor."""
    if taken == len(page["runs"]):
        return page.get("next_cursor")
    return client.get("/v1/runs", limit=taken, **_from(start)).get("next_cursor")


def _from(cursor: str | None) -> dict:
    return {"cursor": cursor} if cursor else {}


def next_command(args, cursor: str) -> str:
    """The same listing's next page, as a command to copy."""
    words = ["repl", "run", "list"] + [w for s in args.status or () for w in ("--status", s)]
    words += ["--limit", str(args.limit)] if args.limit != DEFAULT_LIMIT else []
    return shlex.join(words + ["--cursor", cursor])


def _spec(run: dict) -> str:
    """The spec as asked for, with the instance type it became when that is not the same text."""
    spec, kind = run.get("spec"), run.get("instance_type")
    return f"{spec} ({kind})" if spec and kind and spec != kind else spec or kind


def _duration(run: dict, now: float) -> str:
    """How long it ran; for a run still going, how long it has been going (since it was created)."""
    if states.is_terminal(run["status"]):
        return output.duration(run_lines.command_seconds(run)) if run.get("ended_at") else "-"
    return output.duration(run_lines.elapsed_seconds(run, now), tenths=False)
