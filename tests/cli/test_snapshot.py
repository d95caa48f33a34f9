"""`repl snapshot create|list|delete` and `repl run --snapshot`."""
import json

from functions.core.errors import Conflict
from tests.cli.conftest import step
from tests.cli.fake_plane import make_snapshot

AMI = "ami-0abc1234"
SNAP = make_snapshot(AMI, name="my-env", state="pending", source_run="r1", source_instance="i-0abc",
                     created_at="2026-11-26T17:00:00.000Z")
AVAILABLE = {**SNAP, "state": "available"}


def test_create_posts_the_source_and_name_and_prints_the_id(repl_main, plane):
    plane.routes[("POST", "/v1/snapshots")] = (201, {"snapshot": SNAP})
    result = repl_main("snapshot", "create", "r1", "--name", "my-env", server=plane)
    assert (result.exit_code, result.stdout) == (0, AMI + "\n")
    assert "pending; follow it with: repl snapshot list" in result.stderr
    assert plane.calls("POST", "/v1/snapshots")[0]["body"] == {"source": "r1", "name": "my-env"}


def test_wait_polls_the_snapshot_until_it_is_available(repl_main, plane):
    plane.routes[("POST", "/v1/snapshots")] = (201, {"snapshot": SNAP})
    plane.routes[("GET", f"/v1/snapshots/{AMI}")] = (200, {"snapshot": SNAP})

    def sleep(seconds):  # EC2 finishes the image while the CLI sleeps
        plane.routes[("GET", f"/v1/snapshots/{AMI}")] = (200, {"snapshot": AVAILABLE})

    result = repl_main("snapshot", "create", "i-0abc", "--wait", "--json", server=plane, sleep=sleep)
    assert (result.exit_code, json.loads(result.stdout)) == (0, {"snapshot": AVAILABLE})
    assert len(plane.calls("GET", f"/v1/snapshots/{AMI}")) == 2
    assert f"launch from it with: repl run --snapshot {AMI}" in result.stderr


def test_ctrl_c_while_waiting_leaves_the_snapshot_going_and_says_where_to_follow_it(repl_main, plane):
    plane.routes[("POST", "/v1/snapshots")] = (201, {"snapshot": SNAP})
    plane.routes[("GET", f"/v1/snapshots/{AMI}")] = (200, {"snapshot": SNAP})

    def interrupt(_seconds):
        raise KeyboardInterrupt

    result = repl_main("snapshot", "create", "r1", "--wait", server=plane, sleep=interrupt)
    assert result.exit_code == 130
    assert f"stopped waiting; snapshot {AMI} goes on: see repl snapshot list" in result.stderr


def test_a_failed_snapshot_exits_1(repl_main, plane):
    plane.routes[("POST", "/v1/snapshots")] = (201, {"snapshot": SNAP})
    plane.routes[("GET", f"/v1/snapshots/{AMI}")] = (200, {"snapshot": {**SNAP, "state": "failed"}})
    result = repl_main("snapshot", "create", "r1", "--wait", server=plane)
    assert result.exit_code == 1 and f"repl snapshot delete {AMI}" in result.stderr


def test_a_source_that_is_not_running_says_why(repl_main, plane):
    plane.fail("POST", "/v1/snapshots", Conflict("source: run r1 is booting: its instance is not running yet",
                                                 field="source"))
    result = repl_main("snapshot", "create", "r1", server=plane)
    assert result == (1, "", "repl: source: run r1 is booting: its instance is not running yet\n")


def test_list_is_a_table(repl_main, plane):
    plane.routes[("GET", "/v1/snapshots")] = (200, {"snapshots": [AVAILABLE]})
    result = repl_main("snapshot", "list", server=plane)
    assert result == (0, "ID            NAME    STATE      REGION     ARCH   SOURCE  CREATED\n"
                         "ami-0abc1234  my-env  available  us-east-1  amd64  r1      2026-11-26 17:00:00\n", "")
    assert json.loads(repl_main("snapshot", "list", "--json", server=plane).stdout) == {"snapshots": [AVAILABLE]}


def test_delete_sends_delete_and_names_the_ebs_snapshots(repl_main, plane):
    answer = {"deleted": AMI, "snapshot_ids": ["snap-1", "snap-2"]}
    plane.routes[("DELETE", f"/v1/snapshots/{AMI}")] = (200, answer)
    result = repl_main("snapshot", "delete", AMI, server=plane)
    assert result == (0, f"deleted snapshot {AMI} (EBS snapshots: snap-1, snap-2)\n", "")
    assert json.loads(repl_main("snapshot", "delete", AMI, "--json", server=plane).stdout) == answer


def test_run_from_a_snapshot_needs_no_spec(repl_main, plane):
    plane.script("r1", step("succeeded", exit_code=0))
    result = repl_main("run", "--snapshot", AMI, "-c", "echo hi", server=plane)
    assert result.exit_code == 0, result.stderr
    body = plane.calls("POST", "/v1/runs")[0]["body"]
    assert (body["snapshot"], body["spec"], "region" in body) == (AMI, None, False)


def test_run_with_a_malformed_snapshot_id_is_a_usage_error_naming_snapshot(repl_main, plane):
    result = repl_main("run", "--snapshot", "my-env", "-c", "echo hi", server=plane)
    assert result.exit_code == 2 and result.stderr.startswith("repl: snapshot: 'my-env' is not a snapshot id")
    assert plane.calls("POST", "/v1/runs") == []
