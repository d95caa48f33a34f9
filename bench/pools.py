"""Warm pools: `repl run -c true` on an idle pool instance against a cold launch, alternated in one
benchmark run (targets: warm p50 ≤ 0.5 s and ≤ 0.3 × cold; the pool back at its size ≤ 5 s after a
claim), and what a claim costs the command's start on AWS, from the same phases.

    .venv/bin/python bench/pools.py [N]     # writes bench/results/pools.json

The warm run's phases: claim (created → Provision answered, the instance taken and the command handed
over), start (→ the agent's `started` report: on AWS an idle agent calls every POOL_POLL_MS, 1 s, so the
command starts within that after a claim), run+exit. The refill is timed from the run's end to the pool
showing SIZE idle instances again (the keeper launched one at the claim; the boot is the emulator's).
"""
import json
import sys
import time

from embedded import at, embedded_stack, summary, write

TARGETS = {"warm_p50_s": 0.5, "warm_over_cold_p50": 0.3, "refill_p50_s": 5.0, "aws_claim_to_start_s": 1.0}
SIZE = 2
# Before each timed run, the stack is left to finish what the last one set going (its instance's end, a
# replacement's boot: agent processes on the same 2 cores), so warm and cold are timed alike
SETTLE_S = 2.0
# functions/settings.py POOL_POLL_MS's AWS default: an idle agent calls once a second, so a claim waits half
# of that for its next call at the median (a second at worst)
AWS_MEDIAN_POLL_WAIT_S = 0.5


def timed_run(stack, *flags) -> tuple[float, dict]:
    time.sleep(SETTLE_S)
    began = time.time()
    out = stack.repl("run", "--spec", "t3.micro", "-c", "true", "--no-sync", "--json", *flags)
    wall = time.time() - began
    return wall, json.loads(out.stdout)["run"]


def idle(stack) -> int:
    return stack.json("pool", "get", "bench")["pool"]["idle"]


def refill_seconds(stack, ended: float) -> float:
    for _ in range(300):
        if idle(stack) == SIZE:
            return time.time() - ended
        time.sleep(0.02)
    raise RuntimeError("the pool did not refill within 6 s")


def main(runs: int) -> dict:
    warm, cold, refill, claim_to_start = [], [], [], []
    with embedded_stack() as stack:
        assert stack.repl("pool", "create", "bench", "--spec", "t3.micro", "--size", str(SIZE), "--wait").returncode == 0
        timed_run(stack, "--no-pool")  # warm-up: cold starts of the functions, the AMI cache
        for _ in range(runs):
            wall, run = timed_run(stack)
            assert run["pool"] == "bench" and run["status"] == "succeeded", run
            warm.append(wall)
            refill.append(refill_seconds(stack, time.time()))
            claim_to_start.append(at(run["started_at"]) - at(run["launched_at"]))
            wall, run = timed_run(stack, "--no-pool")
            assert run["pool"] is None and run["status"] == "succeeded", run
            cold.append(wall)
        stack.repl("pool", "delete", "bench")
    table = {"warm": summary(warm), "cold": summary(cold), "refill": summary(refill),
             "claim_to_start": summary(claim_to_start)}
    measured = {"warm_p50_s": table["warm"]["median"],
                "warm_over_cold_p50": round(table["warm"]["median"] / table["cold"]["median"], 3),
                "refill_p50_s": table["refill"]["median"],
                # the embedded agent hears of its claim at once (50 ms polls); on AWS it waits for its next call
                "aws_claim_to_start_s": round(table["claim_to_start"]["median"] + AWS_MEDIAN_POLL_WAIT_S, 3)}
    return write("pools", {"runs": runs, "seconds": table, "targets": TARGETS, "measured": measured,
                           "met": {k: measured[k] <= v for k, v in TARGETS.items()}})


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)["measured"]))
