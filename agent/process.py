"""The user's command as an OS process: spawn it in its own process group, read its output raw, kill it.

Output is read with os.read in chunks, not lines, so a last line without a newline and a 10 MB line
both arrive intact; an incremental decoder keeps a UTF-8 character split across two reads whole.
"""
import codecs
import logging
import os
import signal
import subprocess
import threading
from typing import Callable, List, Optional

log = logging.getLogger("agent")

READ_CHUNK_BYTES = 65536  # one pipe buffer's worth per read
READER_DRAIN_SECONDS = 2.0  # after the command exits; longer means a background child holds the pipe
STREAMS = ("stdout", "stderr")

Sink = Callable[[str, str], None]  # (stream, text)


def spawn(command: str, cwd: str, extra_env: Optional[dict] = None) -> subprocess.Popen:
    """bash -c, stdin /dev/null, a new session (so its whole process group can be signalled at once)."""
    os.makedirs(cwd, exist_ok=True)
    env = dict(os.environ, **extra_env) if extra_env else None
    return subprocess.Popen(["/bin/bash", "-c", command], cwd=cwd, stdin=subprocess.DEVNULL, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, bufsize=0)


def start_readers(proc: subprocess.Popen, sink: Sink) -> List[threading.Thread]:
    threads = []
    for stream, pipe in zip(STREAMS, (proc.stdout, proc.stderr)):
        t = threading.Thread(target=_read, args=(pipe, stream, sink), name="read-" + stream, daemon=True)
        t.start()
        threads.append(t)
    return threads


def _read(pipe, stream: str, sink: Sink) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    try:
        while True:
            chunk = os.read(pipe.fileno(), READ_CHUNK_BYTES)
            if not chunk:
                break
            text = decoder.decode(chunk)
            if text:
                sink(stream, text)
    except OSError as err:
        log.warning("reading %s stopped: %s", stream, err)
    tail = decoder.decode(b"", final=True)  # a truncated character at EOF becomes U+FFFD
    if tail:
        sink(stream, tail)
    pipe.close()


def join_readers(readers: List[threading.Thread], pgid: int) -> None:
    """Wait for EOF on both pipes. A background child that inherited them would keep them open for
    ever, so once the drain time is up the rest of the process group is killed."""
    if _join_all(readers, READER_DRAIN_SECONDS):
        return
    log.warning("output pipes still open after the command exited: killing its process group")
    signal_group(pgid, signal.SIGKILL)
    if not _join_all(readers, READER_DRAIN_SECONDS):
        log.error("output pipes still open (a process outside the group holds them); moving on")


def _join_all(threads: List[threading.Thread], seconds: float) -> bool:
    for t in threads:
        t.join(seconds)
    return not any(t.is_alive() for t in threads)


def kill_group(pgid: int, grace_seconds: float, exited: threading.Event) -> None:
    """SIGTERM the group, give the leader grace_seconds to exit, then SIGKILL whatever is left."""
    signal_group(pgid, signal.SIGTERM)
    exited.wait(grace_seconds)
    signal_group(pgid, signal.SIGKILL)


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass  # the whole group is already gone
    except PermissionError as err:  # every member left changed user (setuid): nothing we can do
        log.warning("signal %d to process group %d: %s", sig, pgid, err)


def exit_code(returncode: int) -> int:
    """Popen's -N (killed by signal N) becomes the shell's convention, 128+N."""
    return returncode if returncode >= 0 else 128 - returncode
