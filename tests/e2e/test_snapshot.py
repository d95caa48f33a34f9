"""Snapshots end to end: image a running run, launch a run from the image, delete it, and nothing is left."""
from tests.e2e.test_run import SPEC, wait_until


def status_becomes(repl, run_id: str, status: str) -> None:
    wait_until(lambda: repl.json("run", "get", run_id)["run"]["status"] == status, what=f"run {run_id} to be {status}")


def ebs_snapshots(repl, image_id: str) -> list:
    [image] = repl.ec2().describe_images(ImageIds=[image_id])["Images"]
    return sorted(m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"] if "Ebs" in m)


def test_snapshot_of_a_running_run_launches_a_new_run_and_is_deleted_without_a_trace(repl):
    source = repl("run", *SPEC, "--detach", "-c", "sleep 600").stdout.strip()
    status_becomes(repl, source, "running")
    snapshot = repl.json("snapshot", "create", source, "--wait")["snapshot"]
    assert (snapshot["state"], snapshot["source_run"]) == ("available", source)
    assert repl("run", "cancel", source).returncode == 0
    status_becomes(repl, source, "cancelled")
    out = repl("run", "--snapshot", snapshot["snapshot_id"], "-c", "echo from-snapshot")
    assert (out.returncode, out.stdout) == (0, "from-snapshot\n"), out.stderr
    run = repl.json("run", "list")["runs"][0]
    [instance] = repl.ec2().describe_instances(InstanceIds=[run["instance_id"]])["Reservations"][0]["Instances"]
    assert (run["snapshot"], instance["ImageId"]) == (snapshot["snapshot_id"], snapshot["snapshot_id"])
    snapshot_ids = ebs_snapshots(repl, snapshot["snapshot_id"])
    deleted = repl.json("snapshot", "delete", snapshot["snapshot_id"])
    assert deleted == {"deleted": snapshot["snapshot_id"], "snapshot_ids": snapshot_ids}
    ec2 = repl.ec2()
    assert ec2.describe_images(ImageIds=[snapshot["snapshot_id"]])["Images"] == []
    left = {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    assert snapshot_ids and not left & set(snapshot_ids)
