"""`python -m local.daemon --home ~/.repl`: runs the embedded stack until SIGTERM.

One daemon per home: it holds ~/.repl/local/daemon.lock (an flock, released by the kernel however the
process ends) for as long as it lives, and a second one on the same home exits at once. It writes
~/.repl/local/state.json (mode 0600: it holds the local token) once everything is ready, and removes
it on the way out, after every agent process it started has been stopped.
"""
import argparse
import fcntl
import json
import os
import signal
import sys
import threading
from pathlib import Path

from functions.core.naming import new_control_id

DEFAULT_API_PORT = 8750
DEFAULT_AWS_PORT = 8751
ALREADY_RUNNING = 3  # the exit code of a daemon that found the home's lock held


class Locked(Exception):
    pass


def lock(directory: Path):
    """The home's lock, held (the open file) with this process's pid in it; Locked if another holds it."""
    handle = open(directory / "daemon.lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise Locked(holder(directory)) from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def holder(directory: Path) -> int | None:
    """The pid of the daemon that holds the home's lock, or None if none does."""
    try:
        handle = open(directory / "daemon.lock")
    except FileNotFoundError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = handle.read().strip()
            return int(text) if text.isdigit() else -1
        return None  # taken at once: no daemon holds it (ours is dropped as the file closes)


def state_dir(home: Path) -> Path:
    return home / "local"


def control_id(directory: Path) -> str:
    """Stable across restarts, so the sweeper keeps recognising instances of this stack."""
    path = directory / "control_id"
    if not path.exists():
        path.write_text(new_control_id())
    return path.read_text().strip()


def write_state(directory: Path, state: dict) -> None:
    tmp = directory / "state.json.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    tmp.replace(directory / "state.json")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.daemon")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--api-port", type=int, default=DEFAULT_API_PORT)
    parser.add_argument("--aws-port", type=int, default=DEFAULT_AWS_PORT)
    args = parser.parse_args(argv)
    directory = state_dir(args.home)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        held = lock(directory)  # noqa: F841 - held open until the process ends
    except Locked as err:
        print(f"another embedded stack (pid {err.args[0]}) already runs on {args.home}", file=sys.stderr)
        return ALREADY_RUNNING
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())

    from local.stack import REGION, Stack
    stack = Stack(directory, control_id(directory), args.api_port, args.aws_port).start()
    write_state(directory, {"api_url": stack.api_url, "aws_endpoint": stack.aws_endpoint, "region": REGION,
                            "control_id": stack.control_id, "token": stack.token, "pid": os.getpid(),
                            "imds_url": stack.imds_url})
    print(f"embedded stack ready: API {stack.api_url}, emulated AWS {stack.aws_endpoint}", flush=True)
    stopping.wait()
    stack.stop()
    (directory / "state.json").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
