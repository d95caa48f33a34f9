"""Which files of a working directory `repl run` leaves behind: .gitignore files (at every level,
each for its own directory) and a .replignore at the root, in gitignore's syntax — comments, blank
lines, `!` to re-include, a trailing `/` for directories only, a `/` inside to anchor to the file's
directory, `*`, `?`, `[...]` and `**` — the last matching rule winning. `.git/` is always left out."""
import re
from dataclasses import dataclass

ALWAYS = (".git",)


@dataclass(frozen=True)
class Rule:
    regex: re.Pattern
    negate: bool
    dir_only: bool
    anchored: bool  # matched against the path from `base`, else against each name
    base: str  # the directory of the ignore file, relative to the root ("" at the root)


def parse(text: str, base: str = "") -> list[Rule]:
    rules = []
    for line in text.splitlines():
        line = line.rstrip()  # trailing spaces are ignored unless escaped (rare enough to drop)
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        dir_only = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        anchored = "/" in pattern
        rules.append(Rule(re.compile(_translate(pattern.lstrip("/"))), negate, dir_only, anchored, base))
    return rules


def ignored(path: str, is_dir: bool, rules: list[Rule]) -> bool:
    """path: relative to the root, with `/`."""
    if path.split("/")[-1] in ALWAYS:
        return True
    verdict = False
    for rule in rules:
        if rule.dir_only and not is_dir or rule.base and not path.startswith(rule.base + "/"):
            continue
        inner = path[len(rule.base) + 1:] if rule.base else path
        if rule.regex.fullmatch(inner if rule.anchored else inner.split("/")[-1]):
            verdict = not rule.negate
    return verdict


def _translate(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            out.append("[" + pattern[i + 1:end].replace("!", "^", 1) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)
