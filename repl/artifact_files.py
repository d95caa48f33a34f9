"""Writing a run's artifacts under a directory. Every destination is checked before any byte is fetched;
each file is streamed to a temporary file beside it, checked against the size and MD5 the listing gives,
and only then renamed into place: a failed download leaves the destination as it was."""
import contextlib
import hashlib
import http.client
import os
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from repl.errors import CliError

CHUNK_BYTES = 1 << 20
TIMEOUT_SECONDS = 60  # for the connection and each read, not the whole file
EXPIRED_HINT = "the link has expired? run the command again for fresh links"


@dataclass
class Plan:
    fetch: list = field(default_factory=list)  # (artifact, destination) pairs to download
    unchanged: list = field(default_factory=list)  # artifact paths whose destination has their bytes already
    differing: list = field(default_factory=list)  # artifact paths whose destination holds something else


def plan(artifacts: list, root: Path) -> Plan:
    """What to download under `root` and what is there already; raises before anything is written when
    a path would land outside `root`."""
    result = Plan()
    for artifact in artifacts:
        dest = destination(root, artifact["path"])
        if _same(dest, artifact):
            result.unchanged.append(artifact["path"])
            continue
        result.fetch.append((artifact, dest))
        if dest.exists() or dest.is_symlink():
            result.differing.append(artifact["path"])
    return result


def destination(root: Path, path: str) -> Path:
    """root/path, refused when path is absolute or climbs out of root: the listing is trusted no further."""
    base = os.path.normpath(root)
    joined = os.path.normpath(os.path.join(base, path))
    if "\0" in path or os.path.isabs(path) or joined == base or os.path.commonpath([base, joined]) != base:
        raise CliError(f"artifact path {path!r} would be written outside {base}; refused, nothing downloaded")
    return Path(joined)


def _same(dest: Path, artifact: dict) -> bool:
    """Whether dest holds the artifact's bytes; without an MD5 to compare, it is taken to differ."""
    md5 = artifact.get("md5")
    if not md5 or not dest.is_file() or dest.stat().st_size != artifact["size"]:
        return False
    digest = hashlib.md5(usedforsecurity=False)
    with dest.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest() == md5.lower()


def fetch(artifact: dict, dest: Path) -> None:
    """Download the artifact's presigned URL to dest, or raise CliError with dest as it was."""
    name, part = artifact["path"], dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    digest, size = hashlib.md5(usedforsecurity=False), 0
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with part.open("xb") as out:  # opened as any new file is: the umask decides its mode
            for chunk in _chunks(artifact["url"], name):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        _verify(artifact, size, digest.hexdigest())
        os.replace(part, dest)
    except OSError as err:
        raise CliError(f"writing {dest}: {err.strerror or err}") from None
    finally:
        with contextlib.suppress(OSError):  # gone already once it has been renamed into place
            part.unlink()


def _chunks(url: str, name: str):
    """The body of a plain GET (the URL carries its own signature), with network failures as CliError."""
    try:
        with urllib.request.build_opener().open(url, timeout=TIMEOUT_SECONDS) as response:
            while chunk := response.read(CHUNK_BYTES):
                yield chunk
    except urllib.error.HTTPError as err:
        hint = f" ({EXPIRED_HINT})" if err.code == 403 else ""
        raise CliError(f"downloading {name}: HTTP {err.code}{hint}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
        reason = getattr(err, "reason", err)
        raise CliError(f"downloading {name}: {getattr(reason, 'strerror', None) or reason}") from None


def _verify(artifact: dict, size: int, md5: str) -> None:
    name, expected = artifact["path"], artifact.get("md5")
    if size != artifact["size"]:
        raise CliError(f"downloading {name}: got {size} bytes where the listing says {artifact['size']}; "
                       "not written, run the command again")
    if expected and md5 != expected.lower():
        raise CliError(f"downloading {name}: its MD5 is {md5} where the listing says {expected}; "
                       "not written, run the command again")
