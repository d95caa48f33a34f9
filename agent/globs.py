"""Which files of a working directory a run's `--artifacts` globs name: glob's rules, applied while
walking the directory without following a symlink (nothing outside it is reached, and a link loop
cannot trap the walk)."""
import fnmatch
import os
from typing import List, NamedTuple, Sequence, Tuple


class Found(NamedTuple):
    path: str  # relative to the working directory, with /
    full: str
    size: int


def find(root: str, globs: Sequence[str]) -> Tuple[List[Found], List[str]]:
    """The regular files under root that the globs match (a matched directory: every file in it),
    sorted by path; and the globs that matched none. Symlinks are never followed: nothing outside
    root is reached, and a link loop cannot trap the walk."""
    patterns = [(g, g.strip("/").split("/")) for g in globs]
    found, hits = {}, set()
    for top, dirs, names in os.walk(root):
        rel = [] if top == root else os.path.relpath(top, root).split(os.sep)
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(top, d))
                   and any(_may_hold(pat, rel + [d]) for _g, pat in patterns)]
        for name in names:
            full, segs = os.path.join(top, name), rel + [name]
            matched = [g for g, pat in patterns if any(_match(pat, segs[:k]) for k in range(1, len(segs) + 1))]
            if matched and not os.path.islink(full) and os.path.isfile(full):
                found["/".join(segs)] = Found("/".join(segs), full, os.path.getsize(full))
                hits.update(matched)
    return [found[p] for p in sorted(found)], [g for g, _pat in patterns if g not in hits]


def _match(pat: List[str], segs: List[str]) -> bool:
    """Glob's rules, one path segment at a time: * ? [..] within a segment, ** any number of
    segments, and a name starting with "." matched only by a pattern that starts with "." too."""
    if not pat:
        return not segs
    if pat[0] == "**":
        return any(_match(pat[1:], segs[i:]) for i in range(len(segs) + 1)
                   if not any(s.startswith(".") for s in segs[:i]))
    return bool(segs) and _segment(pat[0], segs[0]) and _match(pat[1:], segs[1:])


def _may_hold(pat: List[str], segs: List[str]) -> bool:
    """Could the directory segs, or something in it, match pat? (the walk skips it if not)"""
    if not pat or not segs or pat[0] == "**":
        return True
    return _segment(pat[0], segs[0]) and _may_hold(pat[1:], segs[1:])


def _segment(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern) and (pattern.startswith(".") or not name.startswith("."))
