"""A flood of made-up agent calls on the embedded stack (bounded, loopback only): each is refused before
any table read, and a live run's agent goes on as if nothing happened."""
import json
import secrets
import threading
import time
import urllib.error
import urllib.request

import boto3

from functions.store.schema import INSTANCES
from local import deploy
from tests.e2e.test_run import SPEC, wait_until

FLOODERS = 4
FLOOD_SECONDS = 4.0
MAX_REQUESTS = 600  # per flooder: the flood is bounded in count as well as in time


def meter(repl) -> dict:
    state = repl.state()
    request = urllib.request.Request(state["api_url"] + "/_local/meter",
                                     headers={"Authorization": f"Bearer {state['token']}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def dynamodb_calls(snapshot: dict) -> int:
    return sum(entry["count"] for entry in snapshot.get("dynamodb", {}).values())


def live_instance_key(repl, run_id: str) -> str:
    """The key the instance's credentials name (no API shows it), from the stack's own table."""
    table = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url=repl.state()["aws_endpoint"],
                           aws_access_key_id="testing", aws_secret_access_key="testing").Table(
        deploy.table_name(INSTANCES))
    return next(i["instance_key"] for i in table.scan()["Items"] if i["run_id"] == run_id)


def flood(url: str, instance_key: str, statuses: list) -> None:
    """Forged credentials of every shape, one of them naming the live instance's own key."""
    until, sent = time.monotonic() + FLOOD_SECONDS, 0
    while time.monotonic() < until and sent < MAX_REQUESTS:
        forged = [f"{instance_key}.{secrets.token_urlsafe(12)}.{secrets.token_urlsafe(32)}",  # a session's shape
                  f"{instance_key}.{secrets.token_urlsafe(32)}",  # a boot token's
                  "not-a-token", None][sent % 4]
        request = urllib.request.Request(url + "/v1/agent/events",
                                         headers={"Authorization": f"Bearer {forged}"} if forged else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as err:
            statuses.append(err.code)
        sent += 1


def test_a_flood_of_forged_agent_calls_reads_no_table_and_a_live_run_goes_on(repl):
    follow = repl.start("run", *SPEC, "-c", "sleep 6; echo survived", "--max-duration", "120000")
    try:
        wait_until(lambda: any(r["status"] == "running" for r in repl.json("run", "list")["runs"]),
                   what="the run to start")
        run = next(r for r in repl.json("run", "list")["runs"] if r["status"] == "running")
        instance_key = live_instance_key(repl, run["run_id"])
        before, statuses = meter(repl), []
        threads = [threading.Thread(target=flood, args=(repl.state()["api_url"], instance_key, statuses))
                   for _ in range(FLOODERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        after = meter(repl)
        out, err = follow.communicate(timeout=120)
    finally:
        if follow.poll() is None:
            follow.kill()
    table_calls = dynamodb_calls(after) - dynamodb_calls(before)
    print(f"flood: {len(statuses)} forged calls, {table_calls} table calls meanwhile")
    assert len(statuses) > 100 and set(statuses) == {401}  # every forged call refused, none throttled or failed
    # The live run's own calls read and write tables meanwhile, a few a second; one read per forged call
    # would be hundreds more.
    assert table_calls < len(statuses) / 10, (table_calls, len(statuses))
    assert (follow.returncode, out) == (0, "survived\n"), err
    finished = repl.json("run", "get", run["run_id"])["run"]
    assert finished["status"] == "succeeded"
    console = (repl.home / ".repl" / "local").rglob(f"{finished['instance_id']}/console.log")
    assert "retrying" not in next(console).read_text()  # none of the agent's own calls failed
