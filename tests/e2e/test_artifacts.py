"""Artifacts on the embedded stack: a run imports a module from its synced directory and writes
files; `repl artifact download` brings them back byte-identical. (A timed-out run's: test_run.py.)"""
import hashlib

from tests.e2e.test_run import SPEC

WRITE = ("import os, pkg.make as m; os.makedirs('out/deep', exist_ok=True); "
         "open('out/model.bin', 'wb').write(m.DATA); open('out/deep/note.txt', 'w').write('kept')")


def project(repl):
    root = repl.home / "artifacts-project"
    (root / "pkg").mkdir(parents=True, exist_ok=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "make.py").write_text("DATA = bytes(range(256)) * 4096\n")  # 1 MiB, every byte value
    return root


def test_artifacts_written_by_the_command_come_back_byte_identical(repl):
    root = project(repl)
    out = repl("run", *SPEC, "--workdir", str(root), "--artifacts", "out", "-c", f'python3 -c "{WRITE}"')
    assert out.returncode == 0, out.stderr
    run_id = repl.json("run", "list")["runs"][0]["run_id"]
    assert f"repl artifact download {run_id}" in out.stderr  # the closing summary says how to get them
    listed = repl.json("artifact", "list", run_id)["artifacts"]
    assert [(a["path"], a["size"]) for a in listed] == [("out/deep/note.txt", 4), ("out/model.bin", 1 << 20)]
    target = repl.home / "fetched"
    got = repl("artifact", "download", run_id, "--to", str(target))
    assert got.returncode == 0, got.stderr
    expected = bytes(range(256)) * 4096
    assert hashlib.sha256((target / "out" / "model.bin").read_bytes()).digest() == hashlib.sha256(expected).digest()
    assert (target / "out" / "deep" / "note.txt").read_text() == "kept"

