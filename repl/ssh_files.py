"""The files behind `repl ssh-config` and `repl ssh`: an administrator's region keys, ~/.repl/ssh_config,
the Include line (a run's own key pair: repl/run_keys.py)."""
import os
import tempfile
from pathlib import Path

USER = "ubuntu"  # the login user of Canonical's Ubuntu images
HEADER = "# Written by `repl ssh-config`, which rewrites it each time: edits here are lost.\n"


def key_path(config_dir: Path, region: str) -> Path:
    """An administrator's region key (GET /v1/admin/keys/{region})."""
    return config_dir / "keys" / f"aws-{region}.pem"


def known_hosts(config_dir: Path) -> Path:
    return config_dir / "known_hosts"


def shown(path: Path) -> str:
    """~/... under the home directory, as ssh_config and messages show it (ssh expands ~ itself)."""
    try:
        text = "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        text = str(path)
    return f'"{text}"' if " " in text else text


def write_atomic(path: Path, text: str, mode: int = 0o600) -> None:
    """Write-then-rename in the same directory: a reader sees the old file or the new one, never half.

    The temporary file is created 0600 (mkstemp), so a key is never readable by others, even briefly.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_key(config_dir: Path, region: str, pem: str) -> Path:
    path = key_path(config_dir, region)
    for directory in (config_dir, path.parent):
        directory.mkdir(mode=0o700, exist_ok=True)
    write_atomic(path, pem if pem.endswith("\n") else pem + "\n")  # OpenSSH refuses a key without it
    return path


def host_entry(instance: dict, config_dir: Path, identity: Path | None) -> str:
    """One `Host repl-<run-id>` block. Over Tailscale, the tailnet authenticates: no key file needed."""
    tailnet = instance.get("tailscale_hostname")
    lines = [f"Host repl-{instance['run_id']}", f"HostName {tailnet or instance['public_ip']}", f"User {USER}"]
    if identity is not None:
        lines += [f"IdentityFile {shown(identity)}", "IdentitiesOnly yes"]
    lines += ["StrictHostKeyChecking accept-new", f"UserKnownHostsFile {shown(known_hosts(config_dir))}",
              # host keys are remembered per instance, not per IP: EC2 hands public IPs out again
              f"HostKeyAlias {instance['instance_id']}"]
    return lines[0] + "\n" + "".join(f"    {line}\n" for line in lines[1:])


def write_config(config_dir: Path, entries: list[str]) -> Path:
    config_dir.mkdir(mode=0o700, exist_ok=True)
    path = config_dir / "ssh_config"
    write_atomic(path, HEADER + "".join("\n" + entry for entry in entries))
    return path


def ensure_include(ssh_dir: Path, config_file: Path) -> str:
    """Make `Include <config_file>` the first line of ~/.ssh/config, once; say what was done.

    First, because an Include below a `Host` line would only apply inside that Host block.
    """
    line, user_config = f"Include {shown(config_file)}", ssh_dir / "config"
    ssh_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = user_config.resolve()  # a symlinked config (dotfiles) is edited where it lives
    if not target.exists():
        write_atomic(target, line + "\n")
        return f"created {shown(user_config)} with `{line}`"
    lines = target.read_text().splitlines()
    if lines and " ".join(lines[0].split()) == line:
        return f"{shown(user_config)} already has `{line}`"
    rest = [text for text in lines if " ".join(text.split()) != line]
    write_atomic(target, "\n".join([line, *rest]) + "\n", target.stat().st_mode & 0o777)
    where = "moved to" if len(rest) < len(lines) else "added as"
    return f"`{line}` {where} the first line of {shown(user_config)}"
