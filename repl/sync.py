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


@dataclass(frozen=True)
class Tree:
    """What would ship, sized before anything is packed."""
    root: Path
    paths: list
    sizes: list  # bytes of each path, in the same order

    @property
    def bytes(self) -> int:
        return sum(self.sizes)


def plan(root: Path, never: tuple = ()) -> Tree:
    paths = files_of(root, never)
    return Tree(root, paths, [(root / rel).stat().st_size for rel in paths])


def check_size(tree: Tree) -> None:
    """Before gzip: what ships is sized from its files (a 361 MB tree took 91 s to pack before being
    refused). Files over the limit cannot pack under it often enough to be worth the wait."""
    if tree.bytes > MAX_ARCHIVE_BYTES:
        raise CliError(f"the working directory {tree.root} holds {_mb(tree.bytes)} that would ship, over the "
                       f"{_mb(MAX_ARCHIVE_BYTES)} limit (largest: {_largest(tree)}): list what the command does "
                       "not need in .replignore (gitignore syntax, e.g. data/ or *.ckpt), point --workdir at a "
                       "smaller directory, or pass --no-sync", ExitCode.USAGE)


SECRETS = (".aws", ".ssh")  # directories of credentials, anywhere in the tree
SECRET_SUFFIXES = (".pem",)


def secrets_in(tree: Tree, home: Path) -> list[str]:
    """Why this tree looks like it holds credentials (the home directory, .aws/, .ssh/, *.pem): a
    `repl run` from ~ would otherwise ship ~/.aws/credentials without a word."""
    found = ["it is the home directory"] if tree.root == home.resolve() else []
    parts = {part for rel in tree.paths for part in rel.split("/")[:-1]}
    found += [f"it holds {name}/" for name in SECRETS if name in parts]
    found += [rel for rel in tree.paths if rel.endswith(SECRET_SUFFIXES)][:3]
    return found


def pack(tree: Tree) -> Archive:
    check_size(tree)
    out = tempfile.NamedTemporaryFile(prefix="repl-workdir-", suffix=".tar.gz", delete=False)
    with out, gzip.GzipFile(filename="", fileobj=out, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for rel in tree.paths:
            source = tree.root / rel
            info = tarfile.TarInfo(rel)
            info.size, info.mtime = source.stat().st_size, 0
            info.mode = 0o755 if os.access(source, os.X_OK) else 0o644  # the rest (owner, times) is not the tree's
            with source.open("rb") as f:
                tar.addfile(info, f)
    size = os.path.getsize(out.name)
    if size > MAX_ARCHIVE_BYTES:  # tar's headers over a tree just under the limit
        os.unlink(out.name)
        raise CliError(f"the working directory {tree.root} packs to {_mb(size)}, over the {_mb(MAX_ARCHIVE_BYTES)} "
                       "limit: list what the command does not need in .replignore, or pass --no-sync", ExitCode.USAGE)
    digest = hashlib.sha256(Path(out.name).read_bytes()).hexdigest()
    return Archive(Path(out.name), digest, size, len(tree.paths))


def _largest(tree: Tree) -> str:
    """The three biggest top-level entries, which is where a .replignore line helps most."""
    totals: dict = {}
    for rel, size in zip(tree.paths, tree.sizes):
        top = rel.split("/")[0] + ("/" if "/" in rel else "")
        totals[top] = totals.get(top, 0) + size
    return ", ".join(f"{name} {_mb(size)}" for name, size in sorted(totals.items(), key=lambda kv: -kv[1])[:3])


def _mb(size: int) -> str:
    return f"{size / 1e6:.0f} MB" if size >= 1e6 else f"{size} bytes"


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
