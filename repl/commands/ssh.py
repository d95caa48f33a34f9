"""`repl ssh-config` and `repl ssh`: SSH into your running instances with a key of your own that `repl`
makes for each run (its public half sent for that run alone, protocol §1), or, for administrators, the
region's key pair (--region-key, GET /v1/admin/keys/{region})."""
import os
from pathlib import Path

from functions.core import states
from repl import output, run_keys, ssh_files
from repl.client import ApiError
from repl.commands import Context
from repl.errors import CliError, ExitCode

execvp = os.execvp  # replaced in tests: nothing there runs a real ssh
# The agent's registration marks the instance running; the workflow records its address at its next look
# (BOOT_POLL_SECONDS, 5 s on AWS): a `repl ssh` right after a short command or a --detach waits for it.
ADDRESS_POLL_SECONDS = 0.5
ADDRESS_POLLS = 30


class RegionKeyRefused(CliError):
    """403 on GET /v1/admin/keys: region keys are for administrators."""


def ssh_config(args, ctx: Context) -> int:
    summary = write_ssh_config(ctx, region_key=args.region_key)
    ctx.env.out(output.to_json(summary) if args.json else describe(summary))
    return ExitCode.OK


def write_ssh_config(ctx: Context, region_key: bool = False) -> dict:
    """An entry (and its key) per running instance, ~/.repl/ssh_config, the Include line; the keys of runs
    no longer running removed."""
    running = [i for i in ctx.client.get("/v1/instances")["instances"] if i.get("state") == "running"]
    region_keys, entries, skipped = {} if region_key else None, [], []
    for instance in running:
        try:
            entries.append((instance, _identity(ctx, instance, region_keys)))
        except (CliError, ApiError) as err:  # that run's key or region's: the others still get their entries
            skipped.append({"run_id": instance["run_id"], "instance_id": instance["instance_id"],
                            "reason": err.message})
    config_dir = ctx.env.config_dir
    path = ssh_files.write_config(config_dir, [ssh_files.host_entry(i, config_dir, key) for i, key in entries])
    include = ssh_files.ensure_include(Path(os.path.expanduser("~/.ssh")), path)
    return {"ssh_config": str(path), "hosts": [f"repl-{i['run_id']}" for i, _ in entries],
            "keys": sorted({str(key) for _, key in entries if key}), "skipped": skipped, "include": include,
            "removed": run_keys.remove_all_but(config_dir, keep={i["run_id"] for i in running})}


def _identity(ctx: Context, instance: dict, region_keys: dict | None) -> Path | None:
    """The key file for an entry: none over Tailscale; the region's (fetched once per region), or the run's."""
    if instance.get("tailscale_hostname"):
        return None
    if not instance.get("public_ip"):
        raise CliError("no public IP")
    if region_keys is None:
        return run_keys.identity(ctx, instance["run_id"], wait=False)
    region = instance["region"]
    if region not in region_keys:
        try:
            region_keys[region] = fetch_key(ctx, region)
        except CliError as err:  # lost, unknown or refused: said once per instance of that region
            region_keys[region] = err
    if isinstance(region_keys[region], CliError):
        raise region_keys[region]
    return region_keys[region]


def fetch_key(ctx: Context, region: str) -> Path:
    """An administrator's region key, GET /v1/admin/keys/{region}, saved to ~/.repl/keys/aws-<region>.pem."""
    try:
        pem = ctx.client.get(f"/v1/admin/keys/{region}")["private_key"]
    except ApiError as err:
        if err.status == 403:
            raise RegionKeyRefused(f"{err.message}. Region keys are for administrators; without --region-key, "
                                   "`repl ssh` makes a key of your own for each run") from None
        if err.status in (404, 409):  # the message says what to do (protocol §1)
            raise CliError(err.message) from None
        raise
    return ssh_files.save_key(ctx.env.config_dir, region, pem)


def describe(summary: dict) -> str:
    lines = [f"SSH key {ssh_files.shown(Path(p))} (mode 0600)" for p in summary["keys"]]
    hosts = summary["hosts"]
    lines.append(f"SSH config written: {ssh_files.shown(Path(summary['ssh_config']))} with {len(hosts)} "
                 f"entr{'y' if len(hosts) == 1 else 'ies'}" + (f" ({', '.join(hosts)})" if hosts else ""))
    lines.append(summary["include"])
    lines += [f"skipped run {s['run_id']} ({s['instance_id']}): {s['reason']}" for s in summary["skipped"]]
    if summary["removed"]:
        lines.append(f"removed the keys of runs no longer running: {', '.join(summary['removed'])}")
    if hosts:
        lines.append(f"connect with: ssh {hosts[0]}   (or: repl ssh {hosts[0].removeprefix('repl-')})")
    return "".join(line + "\n" for line in lines)


def ssh(args, ctx: Context) -> int:
    instance = _with_address(ctx, find_running(ctx, args.target))
    host = instance.get("tailscale_hostname") or instance.get("public_ip")
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    argv = ssh_argv(ctx, instance, host, args.region_key) + command
    ctx.env.stdout.flush()
    try:
        execvp("ssh", argv)  # does not return
    except FileNotFoundError:
        raise CliError("ssh not found: install an OpenSSH client") from None
    return ExitCode.OK


def ssh_argv(ctx: Context, instance: dict, host: str, region_key: bool = False) -> list[str]:
    argv = ["ssh"]
    if not instance.get("tailscale_hostname"):  # over Tailscale, the tailnet authenticates
        key = fetch_key(ctx, instance["region"]) if region_key else run_keys.identity(ctx, instance["run_id"])
        argv += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
    return argv + ["-o", "StrictHostKeyChecking=accept-new",
                   "-o", f"UserKnownHostsFile={ssh_files.known_hosts(ctx.env.config_dir)}",
                   "-o", f"HostKeyAlias={instance['instance_id']}", f"{ssh_files.USER}@{host}"]


def _with_address(ctx: Context, instance: dict) -> dict:
    """The instance once it has a host to reach (its tailnet name or public IP), waited for a little."""
    polls = 0
    while not (instance.get("tailscale_hostname") or instance.get("public_ip")):
        if polls == ADDRESS_POLLS:
            raise CliError(f"instance {instance['instance_id']} of run {instance['run_id']} has no public IP after "
                           f"{polls * ADDRESS_POLL_SECONDS:.0f} s (its subnet may give none); check again with: "
                           "repl instance list --json")
        if polls == 0:
            ctx.env.err(f"[repl] waiting for the address of instance {instance['instance_id']}\n")
        ctx.env.sleep(ADDRESS_POLL_SECONDS)
        instance, polls = find_running(ctx, instance["instance_id"]), polls + 1
    return instance


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
    if states.is_terminal(status) and run_keys.RUN_ID.fullmatch(run_id):
        run_keys.remove(ctx.env.config_dir, run_id)  # the run is over: so is its key
    raise CliError(f"run {run_id} is not running ({status})")
