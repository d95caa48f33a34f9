"""Spot runs and SSH access end to end on the embedded stack."""
import stat

from tests.e2e.test_run import SPEC, wait_until


def test_a_spot_run_gets_a_spot_instance_and_its_price(repl):
    out = repl("run", *SPEC, "--spot", "-c", "echo spot")
    assert (out.returncode, out.stdout) == (0, "spot\n"), out.stderr
    run = repl.json("run", "list")["runs"][0]
    instance = repl.ec2().describe_instances(InstanceIds=[run["instance_id"]])["Reservations"][0]["Instances"][0]
    assert instance["InstanceLifecycle"] == "spot"
    assert run["spot"] is True and run["spot_price"] > 0  # moto's synthetic price


def test_ssh_config_writes_the_runs_own_key_and_an_entry_for_a_running_instance(repl):
    run_id = repl("run", *SPEC, "-c", "sleep 600", "--detach").stdout.strip()
    try:
        wait_until(lambda: repl.json("run", "get", run_id)["run"]["status"] == "running", what="the run to start")
        # its address is the workflow's to record (CheckRegistration), a poll after the agent registered
        wait_until(lambda: any(i["run_id"] == run_id and i["public_ip"] for i in
                               repl.json("instance", "list")["instances"]), what="the instance's address")
        out = repl("ssh-config")
        assert out.returncode == 0, out.stderr
        key = repl.home / ".repl" / "keys" / "runs" / run_id
        assert key.read_text().startswith("-----BEGIN OPENSSH") and stat.S_IMODE(key.stat().st_mode) == 0o600
        instance_id = repl.json("run", "get", run_id)["run"]["instance_id"]
        described = repl.ec2().describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        entry = f"Host repl-{run_id}\n    HostName {described['PublicIpAddress']}\n    User ubuntu\n" \
                f"    IdentityFile ~/.repl/keys/runs/{run_id}\n"  # as ssh reads it: ~ is the HOME repl ran with
        assert entry in (repl.home / ".repl" / "ssh_config").read_text()
        # the embedded stack's one identity is its administrator: the region key is its to read
        assert repl("ssh-config", "--region-key").returncode == 0
        region_key = repl.home / ".repl" / "keys" / "aws-us-east-1.pem"
        assert region_key.read_text().startswith("-----BEGIN") and stat.S_IMODE(region_key.stat().st_mode) == 0o600
        assert "    IdentityFile ~/.repl/keys/aws-us-east-1.pem\n" in (repl.home / ".repl" / "ssh_config").read_text()
    finally:
        repl("run", "cancel", run_id)
        repl("run", "logs", run_id, "--follow")  # returns once the instance is confirmed terminated
