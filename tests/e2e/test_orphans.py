"""`repl orphan scan|list`: instances of ours with no run record, on the embedded stack."""


def launch(repl, control_id: str, deadline: str, run_id: str = "rnorecord01") -> str:
    ec2 = repl.ec2()
    image = ec2.describe_images(Owners=["099720109477"])["Images"][0]["ImageId"]
    tags = [{"Key": k, "Value": v} for k, v in {"skyrepl:managed": "true", "skyrepl:control-id": control_id,
                                                 "skyrepl:run-id": run_id, "skyrepl:deadline": deadline}.items()]
    return ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                             TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])["Instances"][0]["InstanceId"]


def state_of(repl, instance_id: str) -> str:
    return repl.ec2().describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


def test_scan_terminates_an_orphan_past_its_deadline_and_keeps_the_rest(repl):
    ours = repl.state()["control_id"]
    expired = launch(repl, ours, "2020-01-01T00:00:00.000Z")
    pending = launch(repl, ours, "2099-01-01T00:00:00.000Z", run_id="rnorecord02")
    foreign = launch(repl, "zzzzzz", "2020-01-01T00:00:00.000Z")
    try:
        scan = repl.json("orphan", "scan")
        assert [t["instance_id"] for t in scan["terminated"]] == [expired]
        # the scan answers the orphans it saw, each with the deadline its tag gave
        assert {o["instance_id"]: o["deadline_at"] for o in scan["orphans"]} == {
            expired: "2020-01-01T00:00:00.000Z", pending: "2099-01-01T00:00:00.000Z"}
        assert state_of(repl, expired) in ("shutting-down", "terminated")
        assert state_of(repl, pending) == "running" and state_of(repl, foreign) == "running"
        listed = {o["instance_id"]: o["action"] for o in repl.json("orphan", "list")["orphans"]}
        assert listed[expired].startswith("terminated") and listed[pending] == "kept until its deadline"
        assert foreign not in listed
    finally:
        repl.ec2().terminate_instances(InstanceIds=[pending, foreign])
