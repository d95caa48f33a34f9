"""`repl run`'s working directory: packed as a deterministic tar.gz (the same tree always gives the
same SHA-256), offered to the control plane by its hash, and uploaded with the presigned URL it
answers — only when that archive is not there yet."""
import functools
import gzip
import hashlib
import os
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from repl import ignore
from repl.errors import CliError, ExitCode

MAX_ARCHIVE_BYTES = 100 * 1024 * 1024  # as functions/api/workdirs.py
UPLOAD_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Archive:
    path: Path
    sha256: str
    size: int
    files: int


def files_of(root: Path, never: tuple = ()) -> list[str]:
    """The relative paths to ship, sorted; `never`: absolute directories left out whatever the rules say."""
    rules_in = {"": ignore.parse(_read(root / ".replignore"))}  # a directory -> the rules that apply in it
    found = []
    for here, dirs, names in os.walk(root):
        rel = os.path.relpath(here, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        rules = rules_in[rel] + ignore.parse(_read(Path(here) / ".gitignore"), rel)
        path = functools.partial(_joined, rel)
        dirs[:] = sorted(d for d in dirs if not Path(here, d).is_symlink() and str(Path(here, d)) not in never
                         and not ignore.ignored(path(d), True, rules))
        rules_in.update({path(d): rules for d in dirs})
        found += [path(n) for n in names if Path(here, n).is_file() and not Path(here, n).is_symlink()
                  and not ignore.ignored(path(n), False, rules)]
    return sorted(found)


def _joined(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def pack(root: Path, never: tuple = ()) -> Archive:
    paths = files_of(root, never)
    out = tempfile.NamedTemporaryFile(prefix="repl-workdir-", suffix=".tar.gz", delete=False)
    with out, gzip.GzipFile(filename="", fileobj=out, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for rel in paths:
            source = root / rel
            info = tarfile.TarInfo(rel)
            info.size, info.mtime = source.stat().st_size, 0
            info.mode = 0o755 if os.access(source, os.X_OK) else 0o644  # the rest (owner, times) is not the tree's
            with source.open("rb") as f:
                tar.addfile(info, f)
    size = os.path.getsize(out.name)
    if size > MAX_ARCHIVE_BYTES:
        os.unlink(out.name)
        raise CliError(f"the working directory {root} packs to {size / 1e6:.0f} MB, over the "
                       f"{MAX_ARCHIVE_BYTES / 1e6:.0f} MB limit: list what the command does not need in "
                       ".replignore (gitignore syntax, e.g. data/ or *.ckpt), point --workdir at a smaller "
                       "directory, or pass --no-sync", ExitCode.USAGE)
    digest = hashlib.sha256(Path(out.name).read_bytes()).hexdigest()
    return Archive(Path(out.name), digest, size, len(paths))


def upload(archive: Archive, url: str) -> None:
    # No credentials: the URL is presigned. A Content-Type of its own, or urllib sends a form's, which
    # servers may try to parse (moto's does, and waits for more of the binary "form" for ever).
    request = urllib.request.Request(url, data=archive.path.read_bytes(), method="PUT",
                                     headers={"Content-Type": "application/gzip"})
    try:
        with urllib.request.build_opener().open(request, timeout=UPLOAD_TIMEOUT_SECONDS):
            pass
    except OSError as err:
        raise CliError(f"uploading the working directory failed: {err}") from None


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
