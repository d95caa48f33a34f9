"""`repl run --dry-run`: the request `repl run` would send, and where each value came from; sends nothing."""
import json

from repl import output, settings
from repl.settings import Resolved

HEADERS = ["FIELD", "VALUE", "FROM"]
HIDDEN = "(hidden)"


def describe(resolved: Resolved, body: dict, as_json: bool) -> str:
    sources = settings.body_sources(resolved, body)
    if body.get("env"):  # secrets: a dry run on a shared screen shows the names only
        body = {**body, "env": {name: HIDDEN for name in body["env"]}}
    if as_json:
        return output.to_json({"dry_run": True, "request": body, "sources": sources,
                               "repl_toml": str(resolved.file) if resolved.file else None,
                               "profile": resolved.profile})
    rows = [[field, _shown(field, value), sources[field]] for field, value in body.items()]
    if "region" not in body and "regions" not in body:
        rows.append(["region", "the snapshot's" if body.get("snapshot") else "the control plane's", "default"])
    return f"dry run: nothing sent; POST /v1/runs would carry:\n{output.table(HEADERS, rows)}{_file_line(resolved)}"


def _file_line(resolved: Resolved) -> str:
    if not resolved.file:
        return "repl.toml: none found in this directory or above it\n"
    return f"repl.toml: {resolved.file}" + (f", profile {resolved.profile}" if resolved.profile else "") + "\n"


def _shown(field: str, value) -> str:
    if value is None:  # only spec, with --snapshot
        return "the snapshot's default type" if field == "spec" else "-"
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON and TOML spell them
    if field == "max_duration_ms":
        return f"{value} ({output.duration(value / 1000)})"
    if isinstance(value, str) and value.isprintable():
        return value
    return json.dumps(value)  # a multi-line command, env's table, artifacts' array: on one line, exactly
