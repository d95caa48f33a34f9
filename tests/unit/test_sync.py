"""What `repl run` ships of a working directory: gitignore rules, determinism, the size limit."""
import tarfile

import pytest

from repl import ignore, sync
from repl.errors import CliError


def tree(root, files: dict) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_gitignore_files_at_every_level_and_a_replignore_decide(tmp_path):
    tree(tmp_path, {
        ".gitignore": "# build output\n*.pyc\n/build/\ndata/\n!keep.pyc\nlogs/**/*.log\n",
        ".replignore": "secrets.txt\n",
        "src/.gitignore": "local.cfg\n/only_here.txt\n",
        "src/main.py": "", "src/main.pyc": "", "src/keep.pyc": "", "src/local.cfg": "", "src/only_here.txt": "",
        "src/deep/only_here.txt": "", "build/out": "", "src/build/kept": "", "data/big.bin": "",
        "src/data/also_out": "", "logs/a/b/x.log": "", "logs/x.txt": "", "secrets.txt": "", ".git/HEAD": "",
        "README": "",
    })
    assert sync.files_of(tmp_path) == [".gitignore", ".replignore", "README", "logs/x.txt", "src/.gitignore",
                                       "src/build/kept", "src/deep/only_here.txt", "src/keep.pyc", "src/main.py"]


@pytest.mark.parametrize("pattern, path, is_dir, expected", [
    ("*.log", "a/b/c.log", False, True), ("/top.txt", "a/top.txt", False, False), ("/top.txt", "top.txt", False, True),
    ("cache/", "cache", False, False), ("cache/", "x/cache", True, True), ("a/**/z", "a/b/c/z", False, True),
    ("a/**/z", "a/z", False, True), ("**/foo", "x/y/foo", False, True), ("f?o", "fxo", False, True),
    ("[ab].txt", "c.txt", False, False), ("[!ab].txt", "c.txt", False, True), ("doc/*.md", "doc/x/y.md", False, False),
])
def test_gitignore_pattern_semantics(pattern, path, is_dir, expected):
    assert ignore.ignored(path, is_dir, ignore.parse(pattern)) is expected


def test_the_same_tree_packs_to_the_same_bytes_whatever_the_times(tmp_path):
    tree(tmp_path / "a", {"x.py": "print(1)\n", "sub/y.txt": "y"})
    first = sync.pack(sync.plan(tmp_path / "a"))
    for path in (tmp_path / "a").rglob("*"):
        path.touch()  # new mtimes: not part of the tree
    second = sync.pack(sync.plan(tmp_path / "a"))
    assert first.sha256 == second.sha256 and first.files == 2
    with tarfile.open(first.path) as tar:
        assert [(m.name, m.mtime, m.uid, m.mode) for m in tar.getmembers()] == [
            ("sub/y.txt", 0, 0, 0o644), ("x.py", 0, 0, 0o644)]


def test_a_never_directory_is_left_out_whatever_the_rules(tmp_path):
    tree(tmp_path, {".repl/keys/aws-us-east-1.pem": "KEY", "main.py": ""})
    assert sync.files_of(tmp_path, never=(str(tmp_path / ".repl"),)) == ["main.py"]


def test_over_the_limit_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(sync, "MAX_ARCHIVE_BYTES", 100)
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 64)
    with pytest.raises(CliError) as err:
        sync.pack(sync.plan(tmp_path))
    assert ".replignore" in err.value.message and "--no-sync" in err.value.message and err.value.code == 2


def test_a_tree_over_the_limit_is_refused_before_a_byte_is_packed(tmp_path, monkeypatch):
    monkeypatch.setattr(sync, "MAX_ARCHIVE_BYTES", 1000)
    tree(tmp_path, {"data/a.bin": "x" * 900, "data/b.bin": "x" * 300, "main.py": "print(1)\n"})
    packed = []
    monkeypatch.setattr(sync.tarfile, "open", lambda *a, **k: packed.append(a))
    with pytest.raises(CliError) as err:
        sync.pack(sync.plan(tmp_path))
    assert packed == [] and err.value.code == 2
    assert "holds 1209 bytes that would ship, over the 1000 bytes limit (largest: data/ 1200 bytes, main.py 9 bytes)" \
        in err.value.message
