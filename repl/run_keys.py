"""A run's own SSH key pair (`repl ssh`, `repl ssh-config`): made with ssh-keygen under
~/.repl/keys/runs/<run id> (0600, its .pub beside it), its public half sent for that run alone
(POST /v1/runs/{run_id}/ssh-keys), reused while the API lists it as valid, made anew otherwise, and
removed once the run is no longer running."""
import base64
import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

from functions.core.clock import parse_iso
from repl.client import ApiError
from repl.errors import CliError

RUN_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # what a run id may be, as a file name
PRIVATE_BEGIN, PRIVATE_END = "-----BEGIN OPENSSH PRIVATE KEY-----", "-----END OPENSSH PRIVATE KEY-----"
MAGIC = b"openssh-key-v1\0"
INSTALL_POLLS, INSTALL_POLL_SECONDS = 60, 1.0  # the agent takes it at its next poll: 15 s apart on AWS
EXPIRY_MARGIN_MS = 60_000  # a key expiring sooner than this is made anew


def identity(ctx, run_id: str, wait: bool = True) -> Path:
    """The run's own key pair: reused while the API lists it as valid, else made anew and its public half
    sent for this run; with `wait`, once the run's agent has installed it."""
    config_dir = ctx.env.config_dir
    listed = {k["fingerprint"]: k for k in ctx.client.get(f"/v1/runs/{run_id}/ssh-keys")["ssh_keys"]}
    line = public_half(config_dir, run_id)
    entry = listed.get(fingerprint(line)) if line else None
    if entry is None or parse_iso(entry["expires_at"]) - ctx.env.clock() * 1000 < EXPIRY_MARGIN_MS:
        entry = _send(ctx, run_id, _make_key(config_dir, run_id))
    if wait and not entry["installed"]:
        _wait_installed(ctx, run_id, entry["fingerprint"])
    return key_path(config_dir, run_id)


def _make_key(config_dir: Path, run_id: str) -> str:
    try:
        return make(config_dir, run_id)
    except FileNotFoundError:
        raise CliError("ssh-keygen not found: install an OpenSSH client") from None
    except subprocess.CalledProcessError as err:
        raise CliError(f"ssh-keygen failed: {err.stderr.strip() or err}") from None


def _send(ctx, run_id: str, public_line: str) -> dict:
    try:
        return ctx.client.post(f"/v1/runs/{run_id}/ssh-keys", {"public_key": public_line})
    except ApiError as err:
        if err.status == 409:  # not running (any more), or too many keys: the message says which
            raise CliError(err.message) from None
        raise


def _wait_installed(ctx, run_id: str, fingerprint: str) -> None:
    ctx.env.err(f"[repl] waiting for run {run_id}'s agent to install your key {fingerprint}\n")
    for _ in range(INSTALL_POLLS):
        ctx.env.sleep(INSTALL_POLL_SECONDS)
        keys = ctx.client.get(f"/v1/runs/{run_id}/ssh-keys")["ssh_keys"]
        if any(k["fingerprint"] == fingerprint and k["installed"] for k in keys):
            return
    waited = INSTALL_POLLS * INSTALL_POLL_SECONDS
    raise CliError(f"run {run_id}'s agent has not installed your SSH key within {waited:.0f} s (it takes keys at "
                   f"its next poll); check the run with `repl run get {run_id}`, then try again")


def key_path(config_dir: Path, run_id: str) -> Path:
    """The key pair `repl` makes for one run: the private key here, its public half beside it (.pub)."""
    if not RUN_ID.fullmatch(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return config_dir / "keys" / "runs" / run_id


def public_half(config_dir: Path, run_id: str) -> str | None:
    """The public key line of the run's key pair, if both halves are there, match, and the private one
    is ours alone (ssh refuses it otherwise); else None."""
    path = key_path(config_dir, run_id)
    try:
        line = path.with_name(run_id + ".pub").read_text().strip()
        private = path.read_text()
        readable_by_others = path.stat().st_mode & 0o077
    except (OSError, UnicodeDecodeError):
        return None
    blob = _blob(line)
    return line if blob and not readable_by_others and _embedded_public(private) == blob else None


def make(config_dir: Path, run_id: str) -> str:
    """A new ed25519 key pair for the run (ssh-keygen, no passphrase), replacing any; its public line."""
    path = key_path(config_dir, run_id)
    for directory in (config_dir, path.parent.parent, path.parent):
        directory.mkdir(mode=0o700, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".new-") as tmp:  # ssh-keygen will not overwrite
        made = Path(tmp) / "key"
        subprocess.run(["ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", str(made), "-C", f"repl-{run_id}"],
                       check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        os.chmod(made, 0o600)
        os.replace(made.with_name("key.pub"), path.with_name(run_id + ".pub"))
        os.replace(made, path)  # a half-done pair (a crash between the two) fails public_half's check: made anew
    return path.with_name(run_id + ".pub").read_text().strip()


def remove_all_but(config_dir: Path, keep=()) -> list[str]:
    """Remove the key pair of every run not in `keep` (ended runs'): the run ids removed."""
    folder = config_dir / "keys" / "runs"
    found = {p.name.removesuffix(".pub") for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    removed = sorted(r for r in found if RUN_ID.fullmatch(r) and r not in keep)
    for run_id in removed:
        remove(config_dir, run_id)
    return removed


def remove(config_dir: Path, run_id: str) -> None:
    path = key_path(config_dir, run_id)
    for half in (path, path.with_name(run_id + ".pub")):
        half.unlink(missing_ok=True)


def fingerprint(public_line: str) -> str | None:
    """SHA256:<base64> of a public key line, as `ssh-keygen -l` and the API show it."""
    blob = _blob(public_line)
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=") if blob else None


def _blob(public_line: str) -> bytes | None:
    fields = public_line.split()
    try:
        return base64.b64decode(fields[1], validate=True) if len(fields) >= 2 else None
    except ValueError:
        return None


def _embedded_public(private: str) -> bytes | None:
    """The public key an OpenSSH private key file keeps in the clear (PROTOCOL.key: the magic; the cipher,
    kdf and kdf-options strings; the number of keys; the first public key's string), or None."""
    body = private.strip()
    if not (body.startswith(PRIVATE_BEGIN) and body.endswith(PRIVATE_END)):
        return None
    try:
        data = base64.b64decode("".join(body[len(PRIVATE_BEGIN):-len(PRIVATE_END)].split()), validate=True)
    except ValueError:
        return None
    at = len(MAGIC) if data.startswith(MAGIC) else len(data)
    for _ in range(3):
        at += 4 + int.from_bytes(data[at:at + 4], "big")
    size = int.from_bytes(data[at + 4:at + 8], "big")  # past the number of keys
    return data[at + 8:at + 8 + size] if size and at + 8 + size <= len(data) else None
