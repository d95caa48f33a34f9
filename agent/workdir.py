"""The synced working directory: downloaded with its presigned URL (never with the instance token),
checked against its SHA-256, and unpacked where the command will run. Only plain files and
directories inside the target are unpacked: an archive cannot write anywhere else."""
import hashlib
import os
import tarfile
import tempfile
import urllib.request

CHUNK = 1 << 20
TIMEOUT_SECONDS = 120.0


class WorkdirError(Exception):
    """Why the working directory could not be had (shown on the run's stderr)."""


def prepare(archive: dict, target: str) -> str:
    """Unpack the run's archive into target (created); the directory the command runs in."""
    os.makedirs(target, exist_ok=True)
    with tempfile.TemporaryFile() as tmp:
        digest = _download(archive["url"], tmp)
        if digest != archive.get("sha256"):
            raise WorkdirError("the archive's SHA-256 is {}, not {}".format(digest, archive.get("sha256")))
        tmp.seek(0)
        _unpack(tmp, target)
    return target


def _download(url: str, out) -> str:
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as resp:
            for chunk in iter(lambda: resp.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
    except (OSError, ValueError) as err:  # URLError and HTTPError are OSErrors
        raise WorkdirError("cannot download it: {}".format(err))
    return digest.hexdigest()


def _unpack(fileobj, target: str) -> None:
    root = os.path.realpath(target)
    try:
        with tarfile.open(fileobj=fileobj, mode="r:gz") as tar:
            for member in tar.getmembers():
                path = os.path.realpath(os.path.join(root, member.name))
                if not (member.isfile() or member.isdir()) or os.path.commonpath([root, path]) != root:
                    raise WorkdirError("refusing {!r}: only files and directories inside it".format(member.name))
            tar.extractall(root, members=_safe(tar.getmembers()))
    except (tarfile.TarError, OSError, EOFError) as err:
        raise WorkdirError("cannot unpack it: {}".format(err))


def _safe(members) -> list:
    """Permissions kept (an executable stays one), ownership not: the files are the agent user's."""
    for member in members:
        member.uid = member.gid = 0
        member.uname = member.gname = ""
        member.mode &= 0o755
    return members


def target_for(base: str, run_id: str) -> str:
    return os.path.join(base, run_id)
