"""`repl run -c true` on the embedded stack, phase by phase (targets: p50 ≤ 1.0 s end to end; the
command ≤ 0.1 s after the agent registers; the CLI out ≤ 0.2 s after the exit report).

Phases, from the run's and its instance's own records and the CLI's wall clock:
  create      repl starts → the run is created (repl's own start-up and the POST)
  launch      created → RunInstances answered (the workflow's Provision)
  boot        launched → the agent registered (the emulator's boot, the agent fetched and started)
  start       registered → the command started (the agent's `started` report)
  run+exit    started → the exit reported (the run's end for its user)
  cli exit    the exit reported → repl has exited
  terminated  the exit reported → EC2 confirmed the instance shutting down (after repl is out)

    .venv/bin/python bench/start.py [N]     # writes bench/results/start.json
"""
import sys
import time

from embedded import at, embedded_stack, summary, write

TARGETS = {"total_p50_s": 1.0, "register_to_start_p50_s": 0.1, "exit_to_cli_p50_s": 0.2}


def one_run(stack) -> dict:
    began = time.time()
    out = stack.repl("run", "--spec", "t3.micro", "-c", "true", "--json")  # syncs its (empty) directory
    cli_exit = time.time()
    run = __import__("json").loads(out.stdout)["run"]
    for _ in range(100):  # termination follows the run's end: wait for it to be recorded
        run = stack.json("run", "get", run["run_id"])["run"]
        if run["terminated_at"]:
            break
        time.sleep(0.1)
    instance = next(i for i in stack.json("instance", "list", "--all")["instances"] if i["run_id"] == run["run_id"])
    created, launched, registered = at(run["created_at"]), at(instance["launched_at"]), at(instance["registered_at"])
    started, ended, terminated = at(run["started_at"]), at(run["ended_at"]), at(run["terminated_at"])
    return {"total": cli_exit - began, "create": created - began, "launch": launched - created,
            "boot": registered - launched, "start": started - registered, "run+exit": ended - started,
            "cli exit": cli_exit - ended, "terminated": terminated - ended}


def main(runs: int) -> dict:
    with embedded_stack() as stack:
        one_run(stack)  # warm-up: the execution environments' cold starts, the AMI cache
        phases = [one_run(stack) for _ in range(runs)]
    table = {name: summary([p[name] for p in phases]) for name in phases[0]}
    measured = {"total_p50_s": table["total"]["median"], "register_to_start_p50_s": table["start"]["median"],
                "exit_to_cli_p50_s": table["cli exit"]["median"]}
    return write("start", {"runs": runs, "phases_seconds": table, "targets": TARGETS, "measured": measured,
                           "met": {k: measured[k] <= v for k, v in TARGETS.items()}})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
