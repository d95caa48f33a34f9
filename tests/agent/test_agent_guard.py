"""The agent runs on a bare Ubuntu focal VM: standard library only, and Python 3.8 syntax."""
import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


AGENT_DIR = Path(__file__).resolve().parents[2] / "agent"
SOURCES = sorted(AGENT_DIR.glob("*.py"))
MAX_FILE_LINES = 150  # house rule (style.md §7)


def _import_roots(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "use absolute imports (agent.x)"
            yield node.module.split(".")[0]


def test_the_agent_has_its_modules():
    assert {"__main__.py", "main.py", "loop.py", "executor.py"} <= {p.name for p in SOURCES}


def test_every_import_is_stdlib_or_agent():
    for path in SOURCES:
        roots = set(_import_roots(ast.parse(path.read_text())))
        foreign = {r for r in roots if r != "agent" and r not in sys.stdlib_module_names}
        assert not foreign, "{} imports {}".format(path.name, foreign)


def test_every_file_parses_as_python_3_8():
    for path in SOURCES:
        ast.parse(path.read_text(), filename=str(path), feature_version=(3, 8))


def test_files_stay_small():
    for path in SOURCES:
        assert len(path.read_text().splitlines()) <= MAX_FILE_LINES, path.name


def find_python38():
    """SKYREPL_PYTHON38, else a pyenv 3.8 (this machine kind ships one), else python3.8 on PATH."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [os.environ.get("SKYREPL_PYTHON38"), *sorted(map(str, pyenv.glob("versions/3.8*/bin/python3.8"))),
                  shutil.which("python3.8")]
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return candidate
    return None


def test_imports_under_python_3_8():
    python38 = find_python38()
    assert python38, "no Python 3.8 found: set SKYREPL_PYTHON38 to one (focal's python3 is 3.8)"
    modules = ", ".join("agent." + p.stem for p in SOURCES if p.stem != "__main__")
    probe = subprocess.run([python38, "-c", "import " + modules], cwd=str(AGENT_DIR.parent),
                           capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr


def test_every_setting_the_agent_reads_is_documented():
    readme = (AGENT_DIR / "README.md").read_text()
    names = set(re.findall(r"SKYREPL_[A-Z0-9_]+", " ".join(p.read_text() for p in SOURCES)))
    assert names and not {n for n in names if n not in readme}
