"""A spot interruption end to end: the fake IMDS announces it, the agent reports it and stops the
command, the run ends `interrupted` with the notice as reason, and `repl run` exits 125."""
import json
import threading
import urllib.request
from datetime import datetime, timezone

from functions.core.naming import TAG_RUN_ID
from tests.e2e.test_run import SPEC

COMMAND = "echo before the notice; sleep 307"


def announce(imds_url: str, instance_id: str, when: str) -> dict:
    request = urllib.request.Request(f"{imds_url}/_admin/{instance_id}/spot-interruption", method="POST",
                                     data=json.dumps({"action": "terminate", "time": when}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as resp:
        return json.loads(resp.read())


def test_a_spot_interruption_notice_ends_the_run_interrupted_and_keeps_its_output(repl):
    attached = repl.start("run", *SPEC, "--spot", "-c", COMMAND)
    watchdog = threading.Timer(60, attached.kill)  # a hung run must not hang the suite
    watchdog.start()
    try:
        first = attached.stdout.readline()  # printed by the command on the spot instance, streamed back
        assert first == "before the notice\n", attached.stderr.read()
        (instance_id,) = repl.live_instances()  # the only one: every e2e test leaves none running
        instance = repl.ec2().describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        run_id = {t["Key"]: t["Value"] for t in instance["Tags"]}[TAG_RUN_ID]
        assert instance["InstanceLifecycle"] == "spot"
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # the instance goes now: no margin left
        assert announce(repl.state()["imds_url"], instance_id, now)["notice"]["time"] == now
        rest, stderr = attached.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if attached.poll() is None:
            attached.kill()
    reason = f"spot interruption notice (terminate at {now[:-1]}.000Z)"
    assert attached.returncode == 125, stderr
    assert rest == "" and "interrupted" in stderr and reason in stderr
    run = repl.json("run", "get", run_id)["run"]
    assert (run["status"], run["exit_code"], run["reason"], run["spot"]) == ("interrupted", None, reason, True)
    assert (run["instance_id"], run["interruption"]["action"]) == (instance_id, "terminate")
    assert run["interruption"]["at"] == f"{now[:-1]}.000Z"  # EC2's `time`, on the API's wire as `at`
    assert repl("run", "logs", run_id).stdout == "before the notice\n"
