"""Many at once on the embedded stack (targets: 50 concurrent `repl run`s all succeed with the right output,
0 instances left, no CLI told "no control plane"; the gateway serves ≥ 50 requests/s of GET /v1/runs
from 8 clients at once).

    .venv/bin/python bench/scale.py [RUNS] [SECONDS]     # writes bench/results/scale.json
"""
import json
import sys
import threading
import time
import urllib.request

from embedded import embedded_stack, write

TARGETS = {"concurrent_runs": 50, "gateway_requests_per_s": 50.0}
CLIENTS = 8


def concurrent_runs(stack, count: int) -> dict:
    began = time.time()
    procs = [stack.start("run", "--spec", "t3.micro", "--no-sync", "-c", f"echo run-{i}") for i in range(count)]
    outs = [(p.communicate(timeout=300), p.returncode) for p in procs]
    seconds = time.time() - began
    right = sum(rc == 0 and out.decode() == f"run-{i}\n" for i, ((out, _err), rc) in enumerate(outs))
    wrong = [(rc, out.decode()[-200:], err.decode()[-300:]) for i, ((out, err), rc) in enumerate(outs)
             if not (rc == 0 and out.decode() == f"run-{i}\n")]
    no_plane = sum(b"no control plane" in err for (_out, err), _rc in outs)
    left = None
    for _ in range(120):  # the instances go after the runs end: wait for the last
        left = [i for i in stack.json("instance", "list")["instances"] if i["state"] != "terminated"]
        if not left:
            break
        time.sleep(0.5)
    return {"runs": count, "succeeded_with_right_output": right, "no_control_plane_answers": no_plane,
            "instances_left": len(left), "seconds": round(seconds, 2), "failures": wrong[:5]}


def gateway_rate(stack, seconds: float, windows: int = 3) -> dict:
    """Requests per second over `windows` windows of `seconds`: min and median (a shared machine)."""
    found = [_window(stack, seconds) for _ in range(windows)]
    rates = sorted(f["requests_per_s"] for f in found)
    return {"clients": CLIENTS, "window_seconds": seconds, "windows": found, "requests_per_s_min": rates[0],
            "requests_per_s_median": rates[len(rates) // 2], "errors": sum(f["errors"] for f in found)}


def _window(stack, seconds: float) -> dict:
    state = stack.state
    request = urllib.request.Request(state["api_url"] + "/v1/runs?limit=20",
                                     headers={"Authorization": f"Bearer {state['token']}"})
    counts, errors, stop = [0] * CLIENTS, [0], time.monotonic() + seconds

    def client(n):
        while time.monotonic() < stop:
            try:
                with urllib.request.urlopen(request, timeout=30) as res:
                    json.loads(res.read())
                counts[n] += 1
            except OSError:
                errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return {"requests": sum(counts), "errors": errors[0], "requests_per_s": round(sum(counts) / seconds, 1)}


def main(count: int, seconds: float) -> dict:
    with embedded_stack() as stack:
        runs = concurrent_runs(stack, count)
        rate = gateway_rate(stack, seconds)
    met = {"concurrent_runs": runs["succeeded_with_right_output"] == count and runs["instances_left"] == 0
           and runs["no_control_plane_answers"] == 0, "gateway_requests_per_s": rate["requests_per_s_median"] >= 50}
    return write("scale", {"concurrent": runs, "gateway": rate, "targets": TARGETS, "met": met})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, float(sys.argv[2]) if len(sys.argv) > 2 else 5)
