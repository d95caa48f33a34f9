"""Run artifacts (`repl run --artifacts GLOB`): the globs a run asks for, and the files its agent
offers when the command ends. Both are paths relative to the command's working directory; nothing
here may name a place outside it (an absolute path, a `..`) or break an S3 key or a terminal line."""
from .errors import Invalid

MAX_GLOBS = 20
MAX_GLOB_CHARS = 256
MAX_FILES = 1_000  # per run: one listing page of S3, one answer of the agent API
MAX_PATH_BYTES = 900  # an S3 key holds 1,024 bytes, "artifacts/<run id>/" included
MAX_FILE_BYTES = 5 * 1024 ** 3  # one PUT's limit in S3
EXAMPLE = "out/*.csv"


def parse_globs(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        raise Invalid(f'artifacts: must be a list of glob strings; allowed: e.g. ["{EXAMPLE}"]', field="artifacts")
    if len(value) > MAX_GLOBS:
        raise Invalid(f"artifacts: has {len(value)} globs; allowed: at most {MAX_GLOBS} (one glob can match many "
                      f"files, e.g. {EXAMPLE})", field="artifacts")
    for glob in value:
        problem = _path_problem(glob, MAX_GLOB_CHARS, "a glob")
        if problem:
            raise Invalid(f"artifacts: {glob!r}: {problem}", field="artifacts")  # repr: a newline shows as \n
    return list(dict.fromkeys(value))  # in order, each once


def parse_files(value) -> list[dict]:
    """The agent's offer: [{path, size}], each a file to upload."""
    if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
        raise Invalid("files: must be a list of {path, size}", field="files")
    if not 1 <= len(value) <= MAX_FILES:
        raise Invalid(f"files: 1 to {MAX_FILES} files per run, not {len(value)}", field="files")
    files = [{"path": f.get("path"), "size": f.get("size")} for f in value]
    for f in files:
        problem = _path_problem(f["path"], MAX_PATH_BYTES, "a path") if isinstance(f["path"], str) else "not a string"
        if problem:
            raise Invalid(f"files: path {f['path']!r}: {problem}", field="files")
        if isinstance(f["size"], bool) or not isinstance(f["size"], int) or not 0 <= f["size"] <= MAX_FILE_BYTES:
            raise Invalid(f"files: size of {f['path']!r} must be bytes, 0 to {MAX_FILE_BYTES}", field="files")
    if len({f["path"] for f in files}) != len(files):
        raise Invalid("files: a path is listed twice", field="files")
    return files


def _path_problem(path: str, max_length: int, what: str) -> str | None:
    """Why path is not a relative path inside the working directory (None: it is)."""
    if not 1 <= len(path.encode()) <= max_length:
        return f"{len(path.encode())} bytes; allowed: 1 to {max_length}"
    if not path.isprintable():
        return f"holds a control character (a newline, a NUL...); allowed: {what} on one line"
    if path.startswith("/") or "\\" in path:
        return f"absolute or with a backslash; allowed: {what} relative to the directory the command runs in, " \
               f"with / between its parts, e.g. {EXAMPLE}"
    if ".." in path.split("/"):
        return f"has a '..' component; allowed: {what} inside the directory the command runs in, e.g. {EXAMPLE}"
    return None
