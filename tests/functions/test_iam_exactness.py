"""The EC2/STS actions the code can call, derived from the source, against the seed's policy and the grants.

Every EC2/STS call goes through `aws_call("<service>:<Action>")` (functions/aws/errors.py), so the
labels are the code's actions. CreateTags is called by name once (functions/aws/instances.tag: the
instances a persistent spot request launches untagged, and a claimed pool instance's run); everywhere
else resources are tagged on create, which IAM also authorizes as ec2:CreateTags.
"""
import ast
import re
from pathlib import Path

from functions.aws import permissions
from functions.core import naming
from functions.workflow.definition import TASK_HANDLERS

ROOT = Path(__file__).resolve().parents[2]
SEED_BASE = {"ec2:RunInstances", "ec2:TerminateInstances", "ec2:DescribeInstances", "ec2:DescribeImages",
             "ec2:DescribeSecurityGroups", "ec2:DescribeKeyPairs", "ec2:CreateSecurityGroup",
             "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateKeyPair", "ec2:CreateTags", "sts:GetCallerIdentity"}
SEED_SNAPSHOTS = {"ec2:CreateImage", "ec2:DeregisterImage", "ec2:DeleteSnapshot"}
SEED_SPOT = {"ec2:RequestSpotInstances", "ec2:CancelSpotInstanceRequests", "ec2:DescribeSpotPriceHistory"}
# The one action beyond the seed's policy (README "IAM"): the sweeper lists our open persistent requests
BEYOND_SEED = set(permissions.OPEN_SPOT_REQUESTS)
TAG_ON_CREATE = {"ec2:CreateTags"}
ENTRY_MODULES = {**{task: handler.rsplit(".", 1)[0] for task, handler in TASK_HANDLERS.items()},
                 "Api": "functions.api.handler", "AgentApi": "functions.agent_api.handler",
                 "Sweeper": "functions.sweeper.handler", "Startup": "functions.startup.handler",
                 "PoolKeeper": "functions.pools.handler"}
_LABEL = re.compile(r'aws_call\(\s*"((?:ec2|sts):\w+)"')


def labels(module: str) -> set:
    return set(_LABEL.findall(_path(module).read_text()))


def reachable_modules(entry: str) -> set:
    """Every functions.* module the entry module imports, directly or not."""
    seen, todo = set(), [entry]
    while todo:
        module = todo.pop()
        if module in seen or not _path(module).exists():
            continue
        seen.add(module)
        for node in ast.walk(ast.parse(_path(module).read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("functions"):
                todo += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                todo += [a.name for a in node.names if a.name.startswith("functions")]
    return seen


def _path(module: str) -> Path:
    base = ROOT / module.replace(".", "/")
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def test_the_code_calls_exactly_the_seed_policy_with_its_snapshot_and_spot_additions_and_one_more():
    called = set().union(*(labels(f"functions.aws.{p.stem}") for p in (ROOT / "functions/aws").glob("*.py")))
    assert called == SEED_BASE | SEED_SNAPSHOTS | SEED_SPOT | BEYOND_SEED
    assert BEYOND_SEED == {"ec2:DescribeSpotInstanceRequests"}


def test_every_function_is_granted_only_actions_its_own_code_can_call():
    for function, granted in permissions.EC2_ACTIONS.items():
        code = set().union(*map(labels, reachable_modules(ENTRY_MODULES[function])))
        assert set(granted) - TAG_ON_CREATE <= code, function


def test_every_action_is_granted_to_some_function():
    granted = set().union(*map(set, permissions.EC2_ACTIONS.values()))
    assert granted == SEED_BASE | SEED_SNAPSHOTS | SEED_SPOT | BEYOND_SEED


def test_the_tags_written_on_existing_instances_are_the_ones_the_code_writes():
    # a claim (functions/workflow/provision.py) writes the run's id and deadline; the keeper writes a pool
    # instance's tags (naming.pool_instance_tags) on the instance its spot request launched
    assert set(permissions.TAGS_ON_EXISTING) <= {f for f, a in permissions.EC2_ACTIONS.items() if "ec2:CreateTags" in a}
    assert permissions.TAGS_ON_EXISTING["Provision"][0] == (naming.TAG_RUN_ID, naming.TAG_DEADLINE)
    pool_tags = naming.pool_instance_tags("c0ntrl", "pool-id", "name", "k1", "2030-01-01T00:00:00Z")
    assert set(permissions.TAGS_ON_EXISTING["PoolKeeper"][0]) == set(pool_tags)
    assert permissions.TAGS_ON_EXISTING["Sweeper"] == permissions.TAGS_ON_EXISTING["PoolKeeper"]


def test_every_function_that_creates_what_we_tag_on_create_is_granted_create_tags():
    # Our code tags everything it creates in the same call (TagSpecifications): EC2 authorizes that as
    # ec2:CreateTags, so a role with a create action and without it fails every such call (the
    # deploy-time Startup did). Each create call below is checked to carry TagSpecifications.
    creates = {"ec2:RunInstances", "ec2:CreateSecurityGroup", "ec2:CreateKeyPair", "ec2:CreateImage",
               "ec2:RequestSpotInstances"}  # the last tags the request only (its instances: instances.tag)
    tagged = {label for p in (ROOT / "functions/aws").glob("*.py") for label in _tagged_creates(p.read_text())}
    assert tagged == creates
    for function, granted in permissions.EC2_ACTIONS.items():
        tags_existing = function in permissions.TAGS_ON_EXISTING
        assert ("ec2:CreateTags" in granted) == bool(creates & set(granted)) or tags_existing, function


def _tagged_creates(source: str) -> set:
    """The create actions whose aws_call block passes TagSpecifications."""
    found = set()
    pattern = r'aws_call\(\s*"(ec2:Create(?!Tags")\w+|ec2:RunInstances|ec2:RequestSpotInstances)"'
    for match in re.finditer(pattern, source):
        block = source[match.end():match.end() + 1500]
        if "TagSpecifications" in block.split("aws_call(")[0] or "run_parameters" in block.split("aws_call(")[0]:
            found.add(match.group(1))
    return found
