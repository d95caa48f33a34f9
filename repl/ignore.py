"""Which files of a working directory `repl run` leaves behind: .gitignore files (at every level,
each for its own directory) and a .replignore at the root, with git's own rules as pathspec's
GitIgnoreSpec implements them (tests/unit/test_ignore.py holds them against git itself). The deepest
file that has a say wins, as in git; `.git/` is always left out."""
import re
from dataclasses import dataclass

from pathspec import GitIgnoreSpec

ALWAYS = (".git",)


@dataclass(frozen=True)
class Rules:
    spec: GitIgnoreSpec
    base: str  # the directory of the ignore file, relative to the root ("" at the root)


def parse(text: str, base: str = "") -> list[Rules]:
    lines = [_as_git_reads(line) for line in text.splitlines()]
    lines = [line for line in lines if line.strip() and _valid(line)]
    return [Rules(GitIgnoreSpec.from_lines(lines), base)] if lines else []


def ignored(path: str, is_dir: bool, rules: list[Rules]) -> bool:
    """path: relative to the root, with `/`; `rules`: the root's first, then deeper directories'."""
    if path.split("/")[-1] in ALWAYS:
        return True
    verdict = False
    for found in rules:
        if found.base and not path.startswith(found.base + "/"):
            continue
        inner = path[len(found.base) + 1:] if found.base else path
        result = found.spec.check_file(inner + "/" if is_dir else inner)
        if result.include is not None:
            verdict = result.include
    return verdict


def _as_git_reads(line: str) -> str:
    """Where pathspec (1.1) and git part, the line rewritten to what git means by it."""
    line = re.sub(r"(?<!\\)((?:\\\\)*) +$", r"\1", line)  # git trims unescaped trailing spaces only,
    if line and line[-1] in "\t\v\f":
        line = line[:-1] + "[" + line[-1] + "]"  # so a trailing tab is part of the name (pathspec strips it)
    # `dir/**` is everything inside dir, not dir itself (pathspec takes dir too, and a negation below
    # it could no longer re-include anything); `dir/**/` the directories inside it.
    return re.sub(r"(^|/)\*\*(/?)$", lambda m: m.group(1) + "**/*" + m.group(2), line) \
        if re.search(r"./\*\*/?$", line) else line


def _valid(line: str) -> bool:
    """Git skips a line it cannot read (a trailing lone backslash, say); pathspec would raise."""
    try:
        GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True
