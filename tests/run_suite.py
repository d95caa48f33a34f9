"""`make test`: the whole suite as two pytest processes side by side, tests/e2e and everything else.

Both halves spend most of their time waiting (on the state machine's waits, on agent processes), not
computing, so on two cores they overlap almost fully. The rest streams to the terminal; the
end-to-end half is printed when it ends. The exit code is the first non-zero one (0 if both pass).
Extra arguments go to both pytest processes (e.g. `-x`, `-k cancel`).
"""
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(extra: list) -> int:
    pytest = [sys.executable, "-m", "pytest", "-q", *extra]
    with tempfile.TemporaryFile(mode="w+") as e2e_log:
        e2e = subprocess.Popen([*pytest, "tests/e2e"], cwd=REPO, stdout=e2e_log, stderr=subprocess.STDOUT, text=True)
        try:
            print("tests/e2e runs alongside; its report follows this one.", flush=True)
            rest = subprocess.run([*pytest, "--ignore=tests/e2e", "tests"], cwd=REPO).returncode
            e2e_code = e2e.wait()
        finally:
            if e2e.poll() is None:  # Ctrl-C: the end-to-end half stops too, its fixtures taking the stack down
                e2e.send_signal(signal.SIGINT)
                e2e.wait()
        e2e_log.seek(0)
        print("\n== tests/e2e ==\n" + e2e_log.read(), flush=True)
    return next((code for code in (rest, e2e_code) if code), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
