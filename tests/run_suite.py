"""`make test`: the whole suite as four pytest processes side by side: tests/e2e, tests/workflow
(the real state machine, including the fault matrix), tests/fuzz and everything else.

The first two spend most of their time waiting (on the state machine's waits, on agent processes),
not computing, so on two cores they overlap well with the two that compute (the fuzzer, the rest). The last group streams to the terminal; the
others are printed as each ends. The exit code is the first non-zero one (0 if all pass). Extra
arguments go to every pytest process (e.g. `-x`, `-k cancel`).
"""
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BACKGROUND = ("tests/e2e", "tests/workflow", "tests/fuzz")


def main(extra: list) -> int:
    pytest = [sys.executable, "-m", "pytest", "-q", *extra]
    logs = {folder: tempfile.TemporaryFile(mode="w+") for folder in BACKGROUND}
    background = {folder: subprocess.Popen([*pytest, folder], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                           text=True) for folder, log in logs.items()}
    codes = []
    try:
        print(f"{' and '.join(BACKGROUND)} run alongside; their reports follow this one.", flush=True)
        codes.append(subprocess.run([*pytest, *(f"--ignore={f}" for f in BACKGROUND), "tests"], cwd=REPO).returncode)
        for folder, proc in background.items():
            codes.append(proc.wait())
            logs[folder].seek(0)
            print(f"\n== {folder} ==\n" + logs[folder].read(), flush=True)
    finally:
        for proc in background.values():
            if proc.poll() is None:  # Ctrl-C: the others stop too, their fixtures taking the stack down
                proc.send_signal(signal.SIGINT)
                proc.wait()
    return next((code for code in codes if code), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
