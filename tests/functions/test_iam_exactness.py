"""The EC2/STS actions the code can call, derived from the source, against the seed's policy and the grants.

Every EC2/STS call goes through `aws_call("<service>:<Action>")` (functions/aws/errors.py), so the
labels are the code's actions. CreateTags is never called by name: resources are tagged on create,
which IAM authorizes as ec2:CreateTags.
"""
import ast
import re
from pathlib import Path

from functions.aws import permissions
from functions.workflow.definition import TASK_HANDLERS

ROOT = Path(__file__).resolve().parents[2]
SEED_BASE = {"ec2:RunInstances", "ec2:TerminateInstances", "ec2:DescribeInstances", "ec2:DescribeImages",
             "ec2:DescribeSecurityGroups", "ec2:DescribeKeyPairs", "ec2:CreateSecurityGroup",
             "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateKeyPair", "ec2:CreateTags", "sts:GetCallerIdentity"}
SEED_SNAPSHOTS = {"ec2:CreateImage", "ec2:DeregisterImage", "ec2:DeleteSnapshot"}
SEED_SPOT = {"ec2:RequestSpotInstances", "ec2:CancelSpotInstanceRequests", "ec2:DescribeSpotPriceHistory"}
TAG_ON_CREATE = {"ec2:CreateTags"}
ENTRY_MODULES = {**{task: handler.rsplit(".", 1)[0] for task, handler in TASK_HANDLERS.items()},
                 "Api": "functions.api.handler", "AgentApi": "functions.agent_api.handler",
                 "Sweeper": "functions.sweeper.handler", "Startup": "functions.startup.handler"}
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


def test_the_code_calls_exactly_the_seed_policy_with_its_snapshot_and_spot_additions():
    called = set().union(*(labels(f"functions.aws.{p.stem}") for p in (ROOT / "functions/aws").glob("*.py")))
    assert called == (SEED_BASE | SEED_SNAPSHOTS | SEED_SPOT) - TAG_ON_CREATE


def test_every_function_is_granted_only_actions_its_own_code_can_call():
    for function, granted in permissions.EC2_ACTIONS.items():
        code = set().union(*map(labels, reachable_modules(ENTRY_MODULES[function])))
        assert set(granted) - TAG_ON_CREATE <= code, function


def test_every_action_the_code_can_call_is_granted_to_some_function_or_left_for_the_warm_pool():
    granted = set().union(*map(set, permissions.EC2_ACTIONS.values()))
    warm_pool_only = {"ec2:RequestSpotInstances", "ec2:CancelSpotInstanceRequests"}  # no Lambda calls them yet
    assert (SEED_BASE | SEED_SNAPSHOTS | SEED_SPOT) - warm_pool_only <= granted


def test_every_function_that_creates_what_we_tag_on_create_is_granted_create_tags():
    # Our code tags everything it creates in the same call (TagSpecifications): EC2 authorizes that as
    # ec2:CreateTags, so a role with a create action and without it fails every such call (the
    # deploy-time Startup did). Each create call below is checked to carry TagSpecifications.
    creates = {"ec2:RunInstances", "ec2:CreateSecurityGroup", "ec2:CreateKeyPair", "ec2:CreateImage"}
    tagged = {label for p in (ROOT / "functions/aws").glob("*.py") for label in _tagged_creates(p.read_text())}
    assert tagged == creates
    for function, granted in permissions.EC2_ACTIONS.items():
        assert ("ec2:CreateTags" in granted) == bool(creates & set(granted)), function


def _tagged_creates(source: str) -> set:
    """The create actions whose aws_call block passes TagSpecifications."""
    found = set()
    for match in re.finditer(r'aws_call\(\s*"(ec2:Create\w+|ec2:RunInstances)"', source):
        block = source[match.end():match.end() + 1500]
        if "TagSpecifications" in block.split("aws_call(")[0] or "run_parameters" in block.split("aws_call(")[0]:
            found.add(match.group(1))
    return found
