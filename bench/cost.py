"""What the control plane costs on AWS, per run and per run-hour, priced from requests counted on the
embedded stack run with AWS's cadence (no held requests; agents and followers polling at the intervals
the deployed settings give), at us-east-1 list prices.

Three runs are metered (local/meter.py: API requests per route, Lambda seconds per function, DynamoDB
operations and bytes; Step Functions transitions from the execution's history):
  fixed     `true`: what any run costs once (create, provision, register, finalize)
  detached  one line a second for SECONDS, nobody following (`repl run --detach`)
  attached  the same, followed by `repl run` to its end
A one-hour run costs fixed + (run − fixed) × 3600 / SECONDS. Output per GB comes from bench/output.py's
shape: a 50 MB run followed to its end, metered the same way, plus S3 for its chunks. Then, on a stack of
its own with the keeper's schedule off, a pool of one idle instance for IDLE_SECONDS: what its agent's
polling (every POOL_POLL_MS, 1 s on AWS) costs the control plane per idle instance-hour.

    .venv/bin/python bench/cost.py [SECONDS]     # writes bench/results/cost.json
"""
import json
import sys
import time
import urllib.request

from embedded import embedded_stack, write

sys.path.insert(0, str(__import__("embedded").REPO))
from infra.settings import FUNCTION_SIZES  # noqa: E402 - the deployed memory of each function

PRICES = {  # us-east-1 list prices, USD
    "rest_api_request": 3.50e-6, "http_api_request": 1.00e-6,  # API Gateway, per request (first tier)
    "lambda_request": 0.20e-6, "lambda_gb_second": 0.0000166667,  # x86_64
    "sfn_transition": 0.000025,  # Standard workflows
    "dynamodb_wru": 0.625e-6, "dynamodb_rru": 0.125e-6,  # on-demand, since the November 2024 cut
    "s3_put": 0.005e-3, "s3_get": 0.0004e-3, "s3_gb_month": 0.023,
}
TARGETS = {"detached_per_run_hour": 0.002, "attached_per_run_hour": 0.005, "per_gb_output": 0.05}
# AWS's settings (functions/settings.py's defaults), and nothing held: API Gateway holds no request.
AWS_CADENCE = {"SKYREPL_LOCAL_MAX_WAIT_SECONDS": "0", "SKYREPL_LOCAL_KEEP_SECONDS": "60",
               "BOOT_POLL_SECONDS": "5", "AGENT_SILENT_SECONDS": "180",
               "CANCEL_GRACE_SECONDS": "30", "AGENT_POLL_MS": "", "CLIENT_POLL_MS": "", "OUTPUT_ATTACHED_MS": "",
               "OUTPUT_DETACHED_MS": ""}
READS, WRITES = ("GetItem", "Query", "Scan"), ("PutItem", "UpdateItem", "DeleteItem")
IDLE_SECONDS = 60
# only the idle agent calls: the schedule (the keeper every minute, the sweeper every 5 on AWS) is the
# deployment's, whatever its pools
IDLE_CADENCE = {**AWS_CADENCE, "POOL_POLL_MS": "", "SKYREPL_LOCAL_SWEEP_SECONDS": "0"}


def meter(stack) -> dict:
    state = stack.state
    req = urllib.request.Request(state["api_url"] + "/_local/meter", headers={"Authorization": f"Bearer {state['token']}"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def delta(after: dict, before: dict) -> dict:
    out = {}
    for kind, names in after.items():
        for name, entry in names.items():
            was = before.get(kind, {}).get(name, {})
            change = {k: v - was.get(k, 0) for k, v in entry.items()}
            if change.get("count"):
                out.setdefault(kind, {})[name] = change
    return out


def transitions(stack, run_id: str) -> int:
    import os

    from functions.aws import clients
    os.environ.update({"AWS_ENDPOINT_URL": stack.state["aws_endpoint"], "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing"})
    clients.reset()
    sfn = clients.stepfunctions("us-east-1")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    arn = next(e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]
               if e["name"] == run_id)
    events = [e for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn) for e in page["events"]]
    return sum(e["type"].endswith("StateEntered") for e in events)


def price(counted: dict, sfn_transitions: int, api: str) -> dict:
    requests = sum(e["count"] for e in counted.get("api_requests", {}).values())
    lambdas = counted.get("lambda", {})
    gb_s = sum(e["seconds"] * FUNCTION_SIZES[name].memory_mb / 1024 for name, e in lambdas.items())
    dynamo = counted.get("dynamodb", {})
    rru = sum(e["count"] + e.get("bytes_out", 0) / 4096 for name, e in dynamo.items() if name in READS)
    wru = sum(e["count"] + e.get("bytes_in", 0) / 1024 for name, e in dynamo.items() if name in WRITES)
    parts = {"api_gateway": requests * PRICES[f"{api}_request"],
             "lambda": sum(e["count"] for e in lambdas.values()) * PRICES["lambda_request"] + gb_s * PRICES["lambda_gb_second"],
             "step_functions": sfn_transitions * PRICES["sfn_transition"],
             "dynamodb": rru * PRICES["dynamodb_rru"] + wru * PRICES["dynamodb_wru"]}
    return {"usd": sum(parts.values()), "parts_usd": parts, "api_requests": requests, "lambda_gb_seconds": gb_s,
            "dynamodb_rru": rru, "dynamodb_wru": wru, "sfn_transitions": sfn_transitions}


def metered(stack, args: list, follow: bool, wait_s: float) -> tuple[dict, str]:
    before = meter(stack)
    stack.repl("run", *args, *(() if follow else ("--detach",)))
    time.sleep(wait_s)  # nothing of the bench's own reaches the API meanwhile
    after = meter(stack)
    run = stack.json("run", "list")["runs"][0]
    assert run["status"] == "succeeded", run
    return delta(after, before), run["run_id"]


def per_hour(run: dict, fixed: dict, seconds: int) -> float:
    return fixed["usd"] + (run["usd"] - fixed["usd"]) * 3600 / seconds


def main(seconds: int) -> dict:
    with embedded_stack(AWS_CADENCE) as stack:
        stack.repl("run", "--spec", "t3.micro", "--no-sync", "-c", "true")  # warm-up (caches)
        time.sleep(8)
        apis = {}
        raw = {"fixed": metered(stack, ["--spec", "t3.micro", "--no-sync", "-c", "true"], True, 8),
               "detached": None, "attached": None}
        for kind, follow in (("detached", False), ("attached", True)):
            script = f"i=0; while [ $i -lt {seconds} ]; do echo line $i; i=$((i+1)); sleep 1; done"
            raw[kind] = metered(stack, ["--spec", "t3.micro", "--no-sync", "-c", script], follow,
                                8 if follow else seconds + 8)
        for api in ("rest_api", "http_api"):
            runs = {kind: price(counted, transitions(stack, run_id), api) for kind, (counted, run_id) in raw.items()}
            apis[api] = {"per_run_usd": runs["fixed"]["usd"],
                         "detached_per_run_hour_usd": per_hour(runs["detached"], runs["fixed"], seconds),
                         "attached_per_run_hour_usd": per_hour(runs["attached"], runs["fixed"], seconds),
                         "runs": runs}
    idle = idle_pool_instance(IDLE_SECONDS)
    for api in apis:
        apis[api]["idle_pool_instance_hour_usd"] = price(idle, 0, api)["usd"] * 3600 / IDLE_SECONDS
    return write("cost", {"seconds_per_scenario": seconds, "cadence": AWS_CADENCE, "prices_usd": PRICES,
                          "targets_usd": TARGETS, "apis": apis, "idle_seconds": IDLE_SECONDS,
                          "counted": {**{kind: counted for kind, (counted, _run) in raw.items()}, "idle": idle}})


def idle_pool_instance(seconds: int) -> dict:
    """What one idle pool instance's agent makes the control plane do in `seconds`, counted."""
    with embedded_stack(IDLE_CADENCE) as stack:
        stack.repl("pool", "create", "idle", "--spec", "t3.micro", "--size", "1", "--wait")
        time.sleep(3)  # its registration and the keeper's last call are done
        before = meter(stack)
        time.sleep(seconds)
        counted = delta(meter(stack), before)
        stack.repl("pool", "delete", "idle")
    return counted


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 120)
