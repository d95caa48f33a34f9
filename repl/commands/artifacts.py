"""`repl artifact list|download`: the files a run's command left behind (`repl run --artifacts GLOB`),
and the line `repl run` ends with about them."""
import os
from pathlib import Path

from repl import artifact_files, output
from repl.client import ApiError
from repl.commands import Context, about_run
from repl.errors import CliError, ExitCode

HEADERS = ["PATH", "SIZE", "MODIFIED"]
ACTIVE = ("pending", "provisioning", "booting", "running")  # the run's command has not ended yet


def list_artifacts(args, ctx: Context) -> int:
    listed = _listing(ctx, args.run_id)
    if args.json:  # without the presigned URLs: each one lets anyone holding it read the file for an hour
        ctx.env.out(output.to_json({"run_id": args.run_id, "artifacts": [_unlinked(a) for a in listed]}))
    elif listed:
        rows = [[a["path"], output.size(a["size"]), output.short_time(a.get("modified_at"))] for a in listed]
        ctx.env.out(output.table(HEADERS, rows))
    else:
        ctx.env.err(_none_because(ctx, args.run_id))
    return ExitCode.OK


def download(args, ctx: Context) -> int:
    listed = _listing(ctx, args.run_id)
    root = Path(os.path.normpath(ctx.env.cwd / args.to)) if args.to else ctx.env.cwd
    plan = artifact_files.plan(listed, root)  # every path is checked before anything is written
    if plan.differing and not args.force:
        raise CliError(_differ_message(args.to, plan.differing))
    for artifact, dest in plan.fetch:
        artifact_files.fetch(artifact, dest)
        if not args.json:  # as each one lands: a long download shows its progress
            ctx.env.out(f"{_shown(args.to, artifact['path'])}  {output.size(artifact['size'])}\n")
    downloaded = [artifact["path"] for artifact, _ in plan.fetch]
    if args.json:
        ctx.env.out(output.to_json({"run_id": args.run_id, "to": str(root), "downloaded": downloaded,
                                    "unchanged": plan.unchanged}))
    if not listed:
        ctx.env.err(_none_because(ctx, args.run_id))
        return ExitCode.OK
    total = output.size(sum(artifact["size"] for artifact, _ in plan.fetch))
    unchanged = f", {len(plan.unchanged)} unchanged" if plan.unchanged else ""
    ctx.env.err(f"[repl] downloaded {output.files(len(downloaded))} ({total}) to {root}{unchanged}\n")
    return ExitCode.OK


def summary(ctx: Context, run_id: str, globs: list | None) -> None:
    """The line `repl run` ends with when it asked for artifacts. Failing to list them is said, but
    changes nothing: the exit code stays the command's."""
    if not globs:
        return
    try:
        listed = ctx.client.get(f"/v1/runs/{run_id}/artifacts")["artifacts"]
    except (ApiError, CliError) as err:
        ctx.env.err(f"[repl] artifacts: could not list them ({err.message}); try: repl artifact list {run_id}\n")
        return
    if listed:
        total = output.size(sum(a["size"] for a in listed))
        ctx.env.err(f"[repl] artifacts: {output.files(len(listed))} ({total}); "
                    f"download with: repl artifact download {run_id}\n")
    else:
        ctx.env.err(f"[repl] artifacts: none uploaded (no file matched {', '.join(globs)})\n")


def _none_because(ctx: Context, run_id: str) -> str:
    """Why a run has no artifacts: not asked for, not uploaded yet, or nothing matched."""
    with about_run(run_id):
        run = ctx.client.get(f"/v1/runs/{run_id}")["run"]
    if not run.get("artifacts"):
        return f"[repl] no artifacts for run {run_id}: it was started without --artifacts\n"
    if run.get("status") in ACTIVE:
        return (f"[repl] no artifacts for run {run_id} yet: it is {run['status']}, and its agent uploads "
                "them when the command ends\n")
    return (f"[repl] no artifacts for run {run_id}: nothing matched {', '.join(run['artifacts'])} "
            f"(its stderr says more: repl run logs {run_id})\n")


def _listing(ctx: Context, run_id: str) -> list:
    with about_run(run_id):
        return ctx.client.get(f"/v1/runs/{run_id}/artifacts")["artifacts"]


def _unlinked(artifact: dict) -> dict:
    return {key: value for key, value in artifact.items() if key != "url"}


def _differ_message(to: str | None, differing: list) -> str:
    more = len(differing) - 1
    also = f" (and {more} more file{'s' if more > 1 else ''})" if more else ""
    return f"{_shown(to, differing[0])} exists and differs{also}; use --force to overwrite; nothing downloaded"


def _shown(to: str | None, path: str) -> str:
    """A destination as the user named it: out/a.txt, or dl/out/a.txt with --to dl."""
    return os.path.join(to, path) if to else path
