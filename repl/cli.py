"""The command line: main(argv, env) -> exit code, with every expected error mapped to a message."""
import argparse
import io
import os
from contextlib import redirect_stderr, redirect_stdout

from repl.client import ApiError
from repl.commands import Context
from repl.environment import Environment
from repl.errors import CliError, ExitCode
from repl.parsers import parse


def main(argv: list[str], env: Environment | None = None) -> int:
    env = env or Environment()
    try:
        with redirect_stdout(env.stdout), redirect_stderr(env.stderr):  # argparse prints to sys.std*
            args = parse(argv)
    except SystemExit as done:  # --help, --version, or a usage error (argparse exits 2)
        return done.code if isinstance(done.code, int) else ExitCode.USAGE
    return _run(args, env)


def _run(args: argparse.Namespace, env: Environment) -> int:
    """The command, with every expected failure turned into a message on stderr and an exit code."""
    try:
        return int(args.handler(args, Context(env)))
    except CliError as err:
        env.err(f"{err.usage}repl: {err.message}\n")
        return int(err.code)
    except ApiError as err:
        env.err(f"repl: {err.message}\n")
        return ExitCode.USAGE if err.status == 400 else ExitCode.ERROR
    except KeyboardInterrupt:
        env.err("\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `repl run ... | head`: the reader has gone, so there is no one left to tell
        _discard(env.stdout)
        return ExitCode.ERROR


def _discard(stream) -> None:
    """Point a broken stdout at /dev/null, or Python complains when it flushes it at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
