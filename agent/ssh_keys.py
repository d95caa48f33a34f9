"""The run owner's SSH keys in the login user's authorized_keys (the `ssh_keys` event, protocol §2).

A block of the agent's own between two marker lines, each key line ending in `# skyrepl`; every other
line stays as it was (cloud-init's, for the EC2 key pair): only lines of that shape are ever removed.
Each carries sshd's own `expiry-time`, so sshd refuses the key once expired even if the agent is gone;
the agent drops expired lines at each turn of its loop, and all of its lines when the run ends. Writes
are atomic (a temporary file renamed over it), 0600 in a 0700 `.ssh`, owned (when the agent is root)
by the owner of the home directory holding `.ssh`. A symlinked authorized_keys is left alone.

The expiry is YYYYMMDDHHMMSS in the system's time zone, as sshd reads it, without OpenSSH 9.1's `Z`:
focal's 8.2 and jammy's 8.9 do not parse that, and sshd skips a line whose options it cannot parse.
"""
import calendar
import logging
import os
import pwd
import re
import tempfile
import time
from typing import Callable, List, Optional, Tuple

log = logging.getLogger("agent")

LOGIN_USER = "ubuntu"  # Canonical's images' login user: `repl ssh` logs in as it
BEGIN = "# skyrepl: begin (the SkyREPL agent's keys for this run: its lines are rewritten)"
END = "# skyrepl: end"
MARK = "# skyrepl"
_KEY = re.compile(r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}\Z")
_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,6})?Z\Z")
_LABEL = re.compile(r"[A-Za-z0-9-]{1,64}\Z")
_OURS = re.compile(r'expiry-time="\d{14}" \S+ \S+ ' + MARK + r"( .*)?\Z")


def default_path(user: str = LOGIN_USER) -> str:
    """~user/.ssh/authorized_keys, or "" on a machine without that user (nothing is then installed)."""
    try:
        return os.path.join(pwd.getpwnam(user).pw_dir, ".ssh", "authorized_keys")
    except KeyError:
        return ""


class AuthorizedKeys:
    def __init__(self, path: str, now: Callable[[], float] = time.time):
        self.path, self._now = path, now
        self.keys = []  # type: List[Tuple[str, int]]  # (public key, expiry in epoch seconds)
        self.label = ""  # the run id, after the marker of each line
        self._dirty = False  # lines of ours may be in the file: only then is it read and rewritten

    def replace(self, keys, run_id: str = "") -> None:
        """The `ssh_keys` event: its list instead of the one installed before."""
        found = [_parsed(k) for k in keys] if isinstance(keys, list) else [None]
        self.keys = [k for k in found if k is not None]
        self.label = run_id if _LABEL.match(run_id) else ""
        if len(self.keys) < len(found):
            log.warning("ssh_keys: ignored %d malformed entries", len(found) - len(self.keys))
        self._dirty = self._dirty or bool(self.keys)
        self.tick()

    def tick(self) -> None:
        """Expired keys out; the file written again if that changed it."""
        now = self._now()
        self.keys = [k for k in self.keys if k[1] > now]
        if self._dirty and self._write():
            self._dirty = bool(self.keys)

    def clear(self) -> None:
        """The run has ended: every line of ours goes."""
        self.keys = []
        self.tick()

    def _write(self) -> bool:
        if not self.path:
            log.error("ssh_keys: user %s does not exist here: no key installed", LOGIN_USER)
            return True
        try:
            before = _read(self.path)
            after = render(before, self.keys, self.label)
            if after != before:
                _write_atomic(self.path, after)
                log.info("ssh_keys: %d key(s) in %s", len(self.keys), self.path)
            return True
        except OSError as err:  # the command goes on without them: `repl ssh` says the key never came
            log.error("ssh_keys: cannot write %s: %s", self.path, err)
            return False


def render(text: str, keys: List[Tuple[str, int]], label: str = "") -> str:
    """The file with our block (and any stray line of ours) out, and the block of `keys` at its end."""
    lines = [line for line in text.splitlines() if line not in (BEGIN, END) and not _OURS.match(line)]
    if keys:
        comment = (MARK + " " + label).rstrip()
        lines += [BEGIN] + ['expiry-time="{}" {} {}'.format(_sshd_time(expires), key, comment)
                            for key, expires in keys] + [END]
    return "".join(line + "\n" for line in lines)


def _sshd_time(epoch_s: int) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.localtime(epoch_s))


def _parsed(entry) -> Optional[Tuple[str, int]]:
    """(key, expiry) of a {public_key, expires_at} the control plane checked; checked again here, as
    the line lands in a file sshd trusts: one key type and base64, a UTC time, nothing else."""
    key, expires = (entry.get("public_key"), entry.get("expires_at")) if isinstance(entry, dict) else (None, None)
    match = _ISO.match(expires) if isinstance(expires, str) else None
    if not (isinstance(key, str) and _KEY.match(key) and match):
        return None
    return key, calendar.timegm(tuple(int(g) for g in match.groups()[:6]))


def _read(path: str) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)  # a symlink: ELOOP, an OSError, and no write
    except FileNotFoundError:
        return ""
    with open(fd, encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def _write_atomic(path: str, text: str) -> None:
    directory = os.path.dirname(path)
    owner = _owner(os.path.dirname(directory))
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700)
        os.chmod(directory, 0o700)  # makedirs' mode is masked by the umask
        if owner:
            os.chown(directory, *owner)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".authorized_keys.")  # 0600 from the start
    try:
        with open(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        if owner:
            os.chown(tmp, *owner)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _owner(home: str):
    """(uid, gid) of the home directory, when the agent is root (that user owns .ssh and its files)."""
    if os.geteuid() != 0 or not os.path.isdir(home):  # not root; or a sandbox's home, made by us now
        return None
    st = os.stat(home)
    return st.st_uid, st.st_gid
