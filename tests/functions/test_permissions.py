"""The provider calls exactly the EC2/STS actions that functions/aws/permissions.py grants."""
import re
from pathlib import Path

from functions.aws import clients, permissions, provider
from tests.functions.conftest import REGION, calls, request

GRANTED = set(permissions.STARTUP + permissions.LAUNCH + permissions.TERMINATE)
# A launch calls CreateTags by no name: RunInstances/CreateSecurityGroup/CreateKeyPair tag on create,
# which IAM authorizes as ec2:CreateTags (only the pools tag an existing instance: instances.tag).
TAG_ON_CREATE = {"ec2:CreateTags"}
AWS_DIR = Path(provider.__file__).parent


def test_every_call_made_in_a_whole_lifecycle_is_granted(aws):
    ec2_calls, sts_calls = calls(clients.ec2(REGION)), calls(clients.sts(REGION))
    req = request()  # startup + resolve_ami
    instance_id = provider.launch(req)["instance_id"]
    provider.find_run_instances(REGION, "c1", "r1")
    provider.list_managed(REGION, "c1")
    provider.terminate(REGION, instance_id)
    provider.instance_state(REGION, instance_id)
    used = {f"ec2:{op}" for op in ec2_calls} | {f"sts:{op}" for op in sts_calls}
    assert used == GRANTED - TAG_ON_CREATE


def test_every_aws_call_label_names_a_granted_action():
    source = "\n".join(path.read_text() for path in AWS_DIR.glob("*.py"))
    labels = set(re.findall(r'aws_call\("((?:ec2|sts):\w+)"', source))
    # snapshots: test_snapshots.py; spot: test_spot.py; the pools' (tags on an existing instance, the open
    # persistent requests): test_pools.py
    assert labels == GRANTED | set(permissions.SNAPSHOT) | set(permissions.SPOT) | set(permissions.OPEN_SPOT_REQUESTS)
