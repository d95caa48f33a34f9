"""Every exit code `repl` uses, in one table, and the one exception commands raise to end with one."""
from enum import IntEnum

from functions.core import states


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # the request failed: not found, conflict, server error
    USAGE = 2  # bad flags, a 400 from the API, no control plane or credentials configured
    TIMED_OUT = states.EXIT_TIMED_OUT  # 124, as timeout(1)
    INFRA = states.EXIT_INFRA  # 125, docker run's code for the runner's own failure
    # 130 = 128 + SIGINT: Ctrl-C and a cancelled run alike (https://tldp.org/LDP/abs/html/exitcodes.html)
    INTERRUPTED = states.EXIT_CANCELLED


class CliError(Exception):
    """An expected failure: main() prints `repl: <message>` and exits with `code`, never a traceback."""

    def __init__(self, message: str, code: int = ExitCode.ERROR, usage: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.usage = usage  # the command's usage line, printed first, as argparse does for its own errors
