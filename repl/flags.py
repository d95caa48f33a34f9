"""Unknown flags named as such, before argparse reads the line: left to argparse, `repl run --specc
t3.micro -c x` is "invalid choice: 't3.micro'" (the flag is skipped and its value taken for an
action), and `--detatch` gets the top-level usage. argparse has no hook for this, so the line is
walked once the way argparse will read it: through the nouns and actions, past each flag's value;
a mistyped noun or action is named with the nearest one as well."""
import argparse
import difflib


def check(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """parser.error() (exit 2) naming the first unknown flag, with the nearest known one."""
    current, expects_value = parser, False
    for token in argv:
        if expects_value:
            expects_value = False
        elif token == "--":
            return
        elif token.startswith("-") and len(token) > 1 and not _is_number(token):
            action = _known(current, token)
            if action is None:
                name = token.split("=", 1)[0]
                near = difflib.get_close_matches(name, _flags(current), n=1, cutoff=0.6)
                current.error(f"unknown flag {name}" + (f"; did you mean {near[0]}?" if near else
                                                          f"; see {current.prog} --help"))
            expects_value = action.nargs != 0 and "=" not in token and not (
                not token.startswith("--") and len(token) > 2)  # -cVALUE carries its value
        else:
            current = _word(current, token)


def _known(parser: argparse.ArgumentParser, token: str):
    name = token.split("=", 1)[0]
    if name in parser._option_string_actions:
        return parser._option_string_actions[name]
    if not name.startswith("--") and name[:2] in parser._option_string_actions:
        return parser._option_string_actions[name[:2]]  # -cVALUE
    matches = [a for flag, a in parser._option_string_actions.items() if flag.startswith(name) and
               name.startswith("--")] if parser.allow_abbrev else []
    return matches[0] if len({id(a) for a in matches}) == 1 else None  # argparse's own abbreviations


def _word(parser: argparse.ArgumentParser, token: str) -> argparse.ArgumentParser:
    """The parser a word leads to: a noun's or action's, or this one's when the word is a value. A
    word where only a noun or action can stand, and none is it, is named with the nearest one."""
    choosers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not choosers:
        return parser
    if token in choosers[0].choices:
        return choosers[0].choices[token]
    if not any(a.option_strings == [] and a not in choosers for a in parser._actions):
        near = difflib.get_close_matches(token, list(choosers[0].choices), n=1, cutoff=0.5)
        parser.error(f"unknown command {token!r}" + (f"; did you mean {near[0]!r}?" if near else "") +
                     f" (one of: {', '.join(choosers[0].choices)})")
    return parser


def _flags(parser: argparse.ArgumentParser) -> list[str]:
    return [flag for flag in parser._option_string_actions if flag.startswith("--")]


def _is_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False
