"""Specs and regions end to end: the right image, type and region reach the emulated EC2."""
import json

from tests.e2e.test_run import wait_until


def instance_and_image(repl, run: dict, region: str = "us-east-1") -> tuple[dict, dict]:
    ec2 = repl.ec2(region)
    instance = ec2.describe_instances(InstanceIds=[run["instance_id"]])["Reservations"][0]["Instances"][0]
    image = ec2.describe_images(ImageIds=[instance["ImageId"]])["Images"][0]
    return instance, image


def test_a_graviton_instance_type_runs_on_an_arm64_noble_image(repl):
    out = repl("run", "--provider", "aws", "--spec", "c8g.large", "-c", "echo on-graviton", "--json")
    run = json.loads(out.stdout)["run"]
    instance, image = instance_and_image(repl, run)
    assert out.returncode == 0 and (run["instance_type"], run["arch"]) == ("c8g.large", "arm64")
    assert instance["InstanceType"] == "c8g.large" and image["Architecture"] == "arm64"
    assert image["OwnerId"] == "099720109477" and "ubuntu-noble-24.04-arm64" in image["Name"]


def test_jammy_arm64_runs_on_t4g_micro_with_a_jammy_image(repl):
    out = repl("run", "--provider", "aws", "--spec", "ubuntu:jammy:arm64", "-c", "true", "--json")
    run = json.loads(out.stdout)["run"]
    instance, image = instance_and_image(repl, run)
    assert out.returncode == 0 and instance["InstanceType"] == "t4g.micro"
    assert "ubuntu-jammy-22.04-arm64" in image["Name"] and image["Architecture"] == "arm64"


def test_another_region_gets_its_own_security_group_and_key_pair_and_nothing_left_there(repl):
    out = repl("run", "--provider", "aws", "--spec", "ubuntu:noble:amd64", "--region", "eu-west-1", "-c", "echo hi")
    assert (out.returncode, out.stdout) == (0, "hi\n"), out.stderr
    ec2 = repl.ec2("eu-west-1")
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["skyrepl-default"]}])
    ranges = groups["SecurityGroups"][0]["IpPermissions"][0]
    assert [r["CidrIp"] for r in ranges["IpRanges"]] == ["0.0.0.0/0"]
    assert [r["CidrIpv6"] for r in ranges["Ipv6Ranges"]] == ["::/0"]
    assert ec2.describe_key_pairs(KeyNames=["skyrepl-eu-west-1"])["KeyPairs"]
    wait_until(lambda: repl.live_instances("eu-west-1") == [], what="the instance there to be terminated")
    run = repl.json("run", "list")["runs"][0]
    assert run["region"] == "eu-west-1" and run["status"] == "succeeded"


def test_cache_clear_forgets_the_resolved_images(repl):
    assert repl("run", "--provider", "aws", "--spec", "ubuntu:focal:amd64", "-c", "true").returncode == 0
    assert repl.json("cache", "clear")["cleared"] >= 1
    assert repl.json("cache", "clear")["cleared"] == 0
