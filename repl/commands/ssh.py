"""`repl ssh-config` and `repl ssh`: SSH into your running instances with the keys the control plane keeps."""
import os
from pathlib import Path

from repl import output, ssh_files
from repl.client import ApiError
from repl.commands import Context
from repl.errors import CliError, ExitCode

execvp = os.execvp  # replaced in tests: nothing there runs a real ssh


def ssh_config(args, ctx: Context) -> int:
    summary = write_ssh_config(ctx)
    ctx.env.out(output.to_json(summary) if args.json else describe(summary))
    return ExitCode.OK


def write_ssh_config(ctx: Context) -> dict:
    """Keys (each region's once), ~/.repl/ssh_config (an entry per running instance), the Include line."""
    running = [i for i in ctx.client.get("/v1/instances")["instances"] if i.get("state") == "running"]
    keys, entries, skipped = {}, [], []  # keys: region -> its key file, or why it has none
    for instance in running:
        reason = _unreachable(ctx, instance, keys)
        if reason:
            skipped.append({"run_id": instance["run_id"], "instance_id": instance["instance_id"], "reason": reason})
        else:
            entries.append(instance)
    path = ssh_files.write_config(ctx.env.config_dir, [ssh_files.host_entry(i, ctx.env.config_dir) for i in entries])
    include = ssh_files.ensure_include(Path(os.path.expanduser("~/.ssh")), path)
    return {"ssh_config": str(path), "hosts": [f"repl-{i['run_id']}" for i in entries],
            "keys": [str(p) for p in keys.values() if isinstance(p, Path)], "skipped": skipped, "include": include}


def _unreachable(ctx: Context, instance: dict, keys: dict) -> str | None:
    """Why this instance gets no entry, or None; fetches its region's key on first need."""
    if instance.get("tailscale_hostname"):
        return None
    if not instance.get("public_ip"):
        return "no public IP"
    region = instance["region"]
    if region not in keys:
        try:
            keys[region] = fetch_key(ctx, region)
        except CliError as err:  # that region's key is lost or unknown: the others still get their entries
            keys[region] = err.message
    return None if isinstance(keys[region], Path) else keys[region]


def fetch_key(ctx: Context, region: str) -> Path:
    try:
        pem = ctx.client.get(f"/v1/keys/{region}")["private_key"]
    except ApiError as err:
        if err.status in (404, 409):  # the message says what to do (protocol §1)
            raise CliError(err.message) from None
        raise
    return ssh_files.save_key(ctx.env.config_dir, region, pem)


def describe(summary: dict) -> str:
    lines = [f"wrote {ssh_files.shown(Path(p))} (mode 0600)" for p in summary["keys"]]
    hosts = summary["hosts"]
    lines.append(f"SSH config written: {ssh_files.shown(Path(summary['ssh_config']))} with {len(hosts)} "
                 f"entr{'y' if len(hosts) == 1 else 'ies'}" + (f" ({', '.join(hosts)})" if hosts else ""))
    lines.append(summary["include"])
    lines += [f"skipped run {s['run_id']} ({s['instance_id']}): {s['reason']}" for s in summary["skipped"]]
    if hosts:
        lines.append(f"connect with: ssh {hosts[0]}   (or: repl ssh {hosts[0].removeprefix('repl-')})")
    return "".join(line + "\n" for line in lines)


def ssh(args, ctx: Context) -> int:
    instance = find_running(ctx, args.target)
    host = instance.get("tailscale_hostname") or instance.get("public_ip")
    if not host:
        raise CliError(f"instance {instance['instance_id']} of run {instance['run_id']} has no public IP "
                       "(yet, or its subnet gives none); check again with: repl instance list --json")
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    argv = ssh_argv(ctx, instance, host) + command
    ctx.env.stdout.flush()
    try:
        execvp("ssh", argv)  # does not return
    except FileNotFoundError:
        raise CliError("ssh not found: install an OpenSSH client") from None
    return ExitCode.OK


def ssh_argv(ctx: Context, instance: dict, host: str) -> list[str]:
    argv = ["ssh"]
    if not instance.get("tailscale_hostname"):
        argv += ["-i", str(fetch_key(ctx, instance["region"])), "-o", "IdentitiesOnly=yes"]
    return argv + ["-o", "StrictHostKeyChecking=accept-new",
                   "-o", f"UserKnownHostsFile={ssh_files.known_hosts(ctx.env.config_dir)}",
                   "-o", f"HostKeyAlias={instance['instance_id']}", f"{ssh_files.USER}@{host}"]


def find_running(ctx: Context, target: str) -> dict:
    """The live instance of a run (by run id, `repl-<run-id>`, or instance id) that is running now."""
    target = target.removeprefix("repl-")
    found = [i for i in ctx.client.get("/v1/instances")["instances"] if target in (i["run_id"], i["instance_id"])]
    if found and found[0].get("state") == "running":
        return found[0]
    run_id = found[0]["run_id"] if found else target
    try:
        status = ctx.client.get(f"/v1/runs/{run_id}")["run"]["status"]
    except ApiError as err:
        if err.status == 404:
            raise CliError(f"no run or live instance {target} (see: repl run list, repl instance list)") from None
        raise
    if found and status == "running":
        return found[0]
    raise CliError(f"run {run_id} is not running ({status})")
