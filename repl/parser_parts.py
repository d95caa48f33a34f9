"""Pieces every `repl` parser uses: a noun with its examples, --json, a run id, a positive number."""
import argparse

RAW = argparse.RawDescriptionHelpFormatter  # keeps the examples' own line breaks


def noun(nouns, name: str, help_text: str, examples: str, **kwargs) -> argparse.ArgumentParser:
    return nouns.add_parser(name, help=help_text, epilog=examples, formatter_class=RAW, **kwargs)


def json_flag(p: argparse.ArgumentParser, help_text: str) -> argparse.ArgumentParser:
    p.add_argument("--json", action="store_true", help=help_text)
    return p


def with_id(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("run_id", metavar="ID", help="the run's id")
    return p


def positive(text: str) -> int:
    """argparse type for a count: its error says what is allowed."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 up (e.g. 20)")
    return value
