"""`repl` and `python -m repl`: the process boundary, the only place that calls sys.exit."""
import sys


def entry() -> None:
    from repl.cli import main  # imported here so that an early Ctrl-C cannot print a traceback

    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    entry()
