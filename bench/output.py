"""50 MB of output to an attached `repl run` on the embedded stack (target: ≥ 10 MB/s from the command's
start to the CLI's exit, every byte in order). The command writes numbered lines of mixed text, so a
lost, doubled or reordered piece anywhere changes the digest.

    .venv/bin/python bench/output.py [MB] [repeats]     # writes bench/results/output.json
"""
import hashlib
import subprocess
import sys
import time

from embedded import at, embedded_stack, summary, write

TARGET_MB_PER_S = 10.0
LINE = "{:09d} the quick brown fox jumps over the lazy dog; 0123456789 abcdefghij é ü ✓\n"


def command(megabytes: int) -> str:
    lines = megabytes * 1_000_000 // len(LINE.format(0).encode())
    return (f"python3 -c \"import sys; w = sys.stdout.write; L = {LINE!r}; "
            f"[w(L.format(i)) for i in range({lines})]\""), lines


def expected_digest(lines: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for i in range(lines):
        data = LINE.format(i).encode()
        digest.update(data)
        size += len(data)
    return digest.hexdigest(), size


def one_run(stack, megabytes: int) -> dict:
    script, lines = command(megabytes)
    began = time.time()
    proc = stack.start("run", "--spec", "t3.micro", "--no-sync", "-c", script)
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: proc.stdout.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    proc.wait()
    cli_exit = time.time()
    run = stack.json("run", "list")["runs"][0]
    want_digest, want_size = expected_digest(lines)
    seconds = cli_exit - at(run["started_at"])
    return {"bytes": size, "intact": (digest.hexdigest(), size) == (want_digest, want_size),
            "mb_per_s": size / 1e6 / seconds, "seconds_start_to_cli_exit": seconds, "wall": cli_exit - began,
            "exit_code": proc.returncode}


def main(megabytes: int, repeats: int) -> dict:
    with embedded_stack() as stack:
        results = [one_run(stack, megabytes) for _ in range(repeats)]
    rates = [r["mb_per_s"] for r in results]
    return write("output", {"megabytes": megabytes, "runs": results, "mb_per_s": summary(rates, 2),
                            "target_mb_per_s": TARGET_MB_PER_S, "all_intact": all(r["intact"] for r in results),
                            "met": min(rates) >= TARGET_MB_PER_S and all(r["intact"] for r in results)})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
