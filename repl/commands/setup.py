"""`repl setup [--api-url URL]`: point the CLI at a control plane, check it answers, and set up SSH."""
import json
from urllib.parse import urlsplit

from repl import ssh_files
from repl.commands import Context
from repl.commands.ssh import describe, write_ssh_config
from repl.config import URL_VAR
from repl.errors import CliError, ExitCode


def setup(args, ctx: Context) -> int:
    if args.api_url:
        path = save_api_url(ctx, args.api_url)
        ctx.env.out(f"api_url {args.api_url} saved to {ssh_files.shown(path)}\n")
        if ctx.env.environ.get(URL_VAR):
            ctx.env.err(f"[repl] note: {URL_VAR} is set, and it takes precedence over config.toml\n")
    health = ctx.client.get("/v1/health")
    ctx.env.out(f"control plane {ctx.client.target.url}: {health['status']} (control id {health['control_id']}, "
                f"version {health['version']})\n")
    ctx.env.out(describe(write_ssh_config(ctx)))
    return ExitCode.OK


def save_api_url(ctx: Context, url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(f"--api-url: {url!r} is not an http(s) URL; e.g. "
                       "https://abc123.execute-api.us-east-1.amazonaws.com/prod", ExitCode.USAGE)
    path = ctx.env.config_dir / "config.toml"
    ctx.env.config_dir.mkdir(mode=0o700, exist_ok=True)
    lines = path.read_text().splitlines() if path.exists() else []
    # top-level keys come before any [table]: api_url goes first, every other line stays as it was
    head = next((n for n, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
    top = [line for line in lines[:head] if line.split("=")[0].strip() != "api_url"]
    url_line = f"api_url = {json.dumps(url.rstrip('/'))}"  # a JSON string is a valid TOML basic string
    ssh_files.write_atomic(path, "\n".join([url_line, *top, *lines[head:]]) + "\n")
    return path
