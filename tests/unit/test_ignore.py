"""The ignore rules held against git itself: a corpus of trees and ignore files (escapes, negations,
anchoring, `**`, directory-only patterns, nested files overriding their parents) whose shipped files
must be exactly what `git ls-files --others --exclude-standard` lists. `.replignore` plays the part
of .git/info/exclude: below every .gitignore, as git ranks them."""
import os
import shutil
import subprocess

import pytest

from repl import sync

GIT = shutil.which("git") or "git"  # a machine without git fails here, loudly

FILES = ["a.log", "keep.log", "#hash", "!bang", "space ", "tab\tname", "top.txt", "x/top.txt",
         "build/o.bin", "x/build/o.bin", "build.txt", "docs/a.md", "docs/sub/b.md", "deep/a/b/c/z",
         "deep/z", "z", "a1.txt", "b2.txt", "c3.txt", "cache", "d/cache/f", "logs/x/y.log",
         "logs/y.txt", "out/keep/me", "out/drop", "sub/local.cfg", "sub/inner/local.cfg",
         "sub/inner/kept.log", "sub/only_here", "sub/inner/only_here", "nested/.gitignore.d/x"]

CORPUS = {
    "globs and classes": {".gitignore": "*.log\n[ab]?.txt\n?3.txt\n"},
    "negation after a glob": {".gitignore": "*.log\n!keep.log\n"},
    "escapes": {".gitignore": "\\#hash\n\\!bang\nspace\\ \n"},
    "trailing spaces are not part of a pattern": {".gitignore": "a.log   \nz \\\\  \n"},
    "comments and blanks": {".gitignore": "# a.log\n\n   \nz\n"},
    "anchoring by a leading or middle slash": {".gitignore": "/top.txt\ndocs/a.md\nx/build\n"},
    "directory-only patterns": {".gitignore": "build/\ncache/\n"},
    "double stars": {".gitignore": "deep/**/z\n**/b.md\nlogs/**\n!logs/y.txt\n"},
    "a star does not cross a slash": {".gitignore": "docs/*.md\n"},
    "no re-include inside an excluded directory": {".gitignore": "out/\n!out/keep/\n!out/keep/me\n"},
    "re-include with the directory left open": {".gitignore": "out/*\n!out/keep/\n"},
    "nested files override their parents": {
        ".gitignore": "*.log\nlocal.cfg\n", "sub/.gitignore": "/only_here\n",
        "sub/inner/.gitignore": "!kept.log\n!local.cfg\n"},
    "replignore ranks below .gitignore": {".replignore": "a.log\nkeep.log\nz\n", ".gitignore": "!keep.log\n"},
    "a pattern naming a directory takes all below it": {".gitignore": "sub\nd/cache\n"},
    "everything inside a directory, then one back": {".gitignore": "logs/**\n!logs/y.txt\n"},
    "the directories inside a directory": {".gitignore": "deep/**/\nsub/inner/\n"},
    "everything, then back": {".gitignore": "**\n!*.txt\n"},
    "every directory": {".gitignore": "**/\n"},
    "a line git cannot read is skipped": {".gitignore": "broken\\\na.log\n[\n"},
    "a trailing tab is part of the name": {".gitignore": "top.txt\t\ntab\tname\n"},
}


def _git(root, *args) -> str:
    env = {"PATH": os.environ["PATH"], "HOME": str(root.parent), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run([GIT, "-C", str(root), *args], env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_what_ships_is_what_git_would_leave_untracked_and_unignored(tmp_path, case):
    root = tmp_path / "tree"
    for rel in FILES + list(CORPUS[case]):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(CORPUS[case].get(rel, ""))
    _git(root, "init", "-q")
    (root / ".git/info").mkdir(parents=True, exist_ok=True)
    (root / ".git/info/exclude").write_text(CORPUS[case].get(".replignore", ""))
    listed = _git(root, "-c", "core.excludesFile=/dev/null", "-c", "core.quotePath=false",
                  "ls-files", "-z", "--others", "--exclude-standard")
    assert sync.files_of(root) == sorted(p for p in listed.split("\0") if p)
