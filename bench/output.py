"""50 MB of output to an attached `repl run` on the embedded stack (target: ≥ 10 MB/s from the command's
start to the CLI's exit, every byte in order). The command writes numbered lines of mixed text, so a
lost, doubled or reordered piece anywhere changes the digest.

    .venv/bin/python bench/output.py [MB] [repeats]     # writes bench/results/output.json
"""
import hashlib
import subprocess
import sys
import time

from cost import PRICES, delta, meter, price
from embedded import at, embedded_stack, summary, write

TARGET_MB_PER_S = 10.0
TARGET_USD_PER_GB = 0.05
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


def chunks_of(stack, run_id: str) -> tuple[int, int]:
    """(chunks, their stored bytes) of the run, from the Logs table (the API would fetch them all)."""
    import os

    from boto3.dynamodb.conditions import Key

    from functions.aws import clients
    os.environ.update({"AWS_ENDPOINT_URL": stack.state["aws_endpoint"], "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing"})
    clients.reset()
    items = clients.dynamodb().Table("skyrepl-local-logs").query(KeyConditionExpression=Key("run_id").eq(run_id))["Items"]
    found = [i["chunk"] for i in items if "chunk" in i]
    return len(found), sum(int(c["bytes"]) for c in found)


def per_gb(stack, counted: dict, fixed: dict, run_id: str, size: int) -> dict:
    """The control plane's cost of this much output, per GB: what the run cost beyond a `true` run's, plus
    S3 (a PUT and a GET per chunk, and 30 days of its gzipped bytes)."""
    chunks, stored = chunks_of(stack, run_id)
    requests = price(counted, 0, "http_api")["usd"] - price(fixed, 0, "http_api")["usd"]
    s3 = chunks * (PRICES["s3_put"] + PRICES["s3_get"]) + stored / 1e9 * PRICES["s3_gb_month"]
    return {"usd_per_gb": (requests + s3) / (size / 1e9), "chunks": chunks, "stored_bytes": stored,
            "requests_usd": requests, "s3_usd": s3}


def one_run(stack, megabytes: int) -> dict:
    script, lines = command(megabytes)
    before = meter(stack)
    began = time.time()
    proc = stack.start("run", "--spec", "t3.micro", "--no-sync", "-c", script)
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: proc.stdout.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    proc.wait()
    cli_exit = time.time()
    time.sleep(3)  # the workflow's end (Finalize) belongs to the run too
    counted = delta(meter(stack), before)
    run = stack.json("run", "list")["runs"][0]
    want_digest, want_size = expected_digest(lines)
    seconds = cli_exit - at(run["started_at"])
    return {"bytes": size, "intact": (digest.hexdigest(), size) == (want_digest, want_size),
            "mb_per_s": size / 1e6 / seconds, "seconds_start_to_cli_exit": seconds, "wall": cli_exit - began,
            "exit_code": proc.returncode, "run_id": run["run_id"], "counted": counted}


def fixed_run(stack) -> dict:
    before = meter(stack)
    stack.repl("run", "--spec", "t3.micro", "--no-sync", "-c", "true")
    time.sleep(3)
    return delta(meter(stack), before)


def main(megabytes: int, repeats: int) -> dict:
    with embedded_stack() as stack:
        fixed = fixed_run(stack)
        results = [one_run(stack, megabytes) for _ in range(repeats)]
        cost = per_gb(stack, results[-1].pop("counted"), fixed, results[-1]["run_id"], results[-1]["bytes"])
    for r in results:
        r.pop("counted", None)
    rates = [r["mb_per_s"] for r in results]
    intact = all(r["intact"] for r in results)
    return write("output", {"megabytes": megabytes, "runs": results, "mb_per_s": summary(rates, 2),
                            "target_mb_per_s": TARGET_MB_PER_S, "all_intact": intact, "cost_per_gb": cost,
                            "target_usd_per_gb": TARGET_USD_PER_GB,
                            "met": {"mb_per_s": min(rates) >= TARGET_MB_PER_S and intact,
                                    "usd_per_gb": cost["usd_per_gb"] <= TARGET_USD_PER_GB}})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
