"""What the benchmarks share: an embedded stack of their own (a temp HOME), `repl` as a process, the
stack's records read back, and how figures are written (bench/results/<name>.json)."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


class Stack:
    def __init__(self, home: Path, extra_env: dict | None = None):
        self.home = home
        self.env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO),
                    "NO_COLOR": "1", **(extra_env or {})}
        self.cwd = home / "work"  # a `repl run` from ~ itself is refused (it would ship ~/.aws)
        self.cwd.mkdir(parents=True, exist_ok=True)

    def repl(self, *args: str, check: bool = True, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "repl", *args], env=self.env, stdout=stdout,
                              stderr=subprocess.PIPE, cwd=self.cwd, check=check)

    def start(self, *args: str, stdout=subprocess.PIPE) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "repl", *args], env=self.env, stdout=stdout,
                                stderr=subprocess.PIPE, cwd=self.cwd)

    def json(self, *args: str) -> dict:
        return json.loads(self.repl(*args, "--json").stdout)

    @property
    def state(self) -> dict:
        return json.loads((self.home / ".repl/local/state.json").read_text())


@contextmanager
def embedded_stack(extra_env: dict | None = None):
    """A stack in a temp HOME, for the benchmark only; `extra_env` reaches the daemon (its settings)."""
    stack = Stack(Path(tempfile.mkdtemp(prefix="skyrepl-bench-")), extra_env)
    stack.repl("local", "up")
    try:
        yield stack
    finally:
        stack.repl("local", "down", check=False)


def at(text: str | None) -> float | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


def summary(values: list[float], digits: int = 3) -> dict:
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits), "n": len(values)}


def write(name: str, result: dict) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": f"{os.cpu_count()} cores",
              **result}
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result
