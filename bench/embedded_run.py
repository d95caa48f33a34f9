"""Benchmark: a short `repl run` on the embedded stack, end to end, and what one run costs on AWS.

Measures, over N runs of `echo hi`: wall time of `repl run` (create → output → instance terminated),
and from each execution's history the Step Functions state transitions and Lambda task invocations,
which price a run on AWS (Standard workflows bill per transition). Writes bench/results/embedded_run.json.

    .venv/bin/python bench/embedded_run.py [N]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from functions.aws import clients  # noqa: E402 - the checkout's own package, run as a script
PRICE_PER_TRANSITION_USD = 0.000025  # Step Functions Standard, us-east-1 (reference/aws-limits.md §3.5)


def repl(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "repl", *args], env=env, capture_output=True, text=True, check=True)


def history_counts(sfn, execution_arn: str) -> dict:
    events = [e for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
              for e in page["events"]]
    return {"transitions": sum(e["type"].endswith("StateEntered") for e in events),
            "lambda_tasks": sum(e["type"] in ("TaskScheduled", "LambdaFunctionScheduled") for e in events)}


def main(runs: int) -> dict:
    home = Path(tempfile.mkdtemp())
    repl(home, "local", "up")
    try:
        state = json.loads((home / ".repl/local/state.json").read_text())
        os.environ.update({"AWS_ENDPOINT_URL": state["aws_endpoint"], "AWS_ACCESS_KEY_ID": "testing",
                           "AWS_SECRET_ACCESS_KEY": "testing"})
        sfn = clients.stepfunctions("us-east-1")
        walls, counts = [], []
        for _ in range(runs):
            started = time.monotonic()
            run = json.loads(repl(home, "run", "--spec", "ubuntu:noble:amd64", "-c", "echo hi", "--json").stdout)["run"]
            walls.append(time.monotonic() - started)
            arn = next(e["executionArn"] for e in sfn.list_executions(stateMachineArn=sfn.list_state_machines()[
                "stateMachines"][0]["stateMachineArn"])["executions"] if e["name"] == run["run_id"])
            counts.append(history_counts(sfn, arn))
    finally:
        repl(home, "local", "down")
    transitions = statistics.median(c["transitions"] for c in counts)
    return {"runs": runs, "wall_seconds_median": round(statistics.median(walls), 2),
            "wall_seconds_max": round(max(walls), 2), "transitions_per_run": transitions,
            "lambda_tasks_per_run": statistics.median(c["lambda_tasks"] for c in counts),
            "workflow_cost_usd_per_run": round(transitions * PRICE_PER_TRANSITION_USD, 6)}


if __name__ == "__main__":
    result = main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    (REPO / "bench/results/embedded_run.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
