"""EC2/STS actions stay inside the seed's IAM policy; each function gets exactly the grants it needs."""
import json
import re

import pytest
from infra_helpers import ROOT, as_list

from functions.aws.permissions import (CANONICAL, DESTRUCTIVE, EC2_ACTIONS, SESSION_KEY_PARAMETER, SPOT,
                                      TAGGED_CREATES, TAGS_ON_EXISTING)
from infra import settings as infra_settings

# Copied from the seed (shared/seed/aws-setup.md), so the test stands without shared/ beside the checkout.
SEED_POLICY_ACTIONS = {
    "ec2:RunInstances", "ec2:TerminateInstances", "ec2:DescribeInstances", "ec2:DescribeImages",
    "ec2:DescribeSecurityGroups", "ec2:DescribeKeyPairs", "ec2:CreateSecurityGroup",
    "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateKeyPair", "ec2:CreateTags", "sts:GetCallerIdentity",
}
# The seed's "For snapshots (AMIs), add" and "For spot instances, add" blocks.
SEED_OPTIONAL_ACTIONS = {
    "ec2:CreateImage", "ec2:DeregisterImage", "ec2:DeleteSnapshot",
    "ec2:RequestSpotInstances", "ec2:CancelSpotInstanceRequests", "ec2:DescribeSpotPriceHistory",
}
# The one action beyond the seed's policy: the sweeper's, which lists our open persistent spot requests
# (README "IAM", functions/aws/permissions.OPEN_SPOT_REQUESTS)
BEYOND_SEED = {"ec2:DescribeSpotInstanceRequests"}
SEED_FILE = ROOT.parent / "shared" / "seed" / "aws-setup.md"


def _ec2_sts(actions) -> set[str]:
    return {a for a in actions if a.startswith(("ec2:", "sts:"))}


def policy_in(text: str) -> tuple[set, set]:
    """(the base policy's actions, the snapshot and spot additions) from the JSON blocks of a page."""
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    return set(json.loads(blocks[0])["Statement"][0]["Action"]), set().union(*(json.loads(f"[{b}]") for b in blocks[1:]))


def test_the_readme_carries_the_seed_policy_and_these_constants_are_it():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### IAM policy"):]
    section = section[:section.find("\n#", 1)]  # up to the next heading: later sections have JSON of their own
    assert policy_in(section) == (SEED_POLICY_ACTIONS, SEED_OPTIONAL_ACTIONS)
    if SEED_FILE.exists():  # in the development checkout, next to ../shared: the page users follow
        assert policy_in(SEED_FILE.read_text()) == (SEED_POLICY_ACTIONS, SEED_OPTIONAL_ACTIONS)


def test_ec2_and_sts_actions_anywhere_are_within_the_seed_policy(synth):
    granted = set()
    for policy in synth.of_type("AWS::IAM::Policy").values():
        granted |= {a for s in policy["Properties"]["PolicyDocument"]["Statement"] for a in as_list(s["Action"])}
    assert not [a for a in granted if "*" in a]
    assert _ec2_sts(granted) <= SEED_POLICY_ACTIONS | SEED_OPTIONAL_ACTIONS | BEYOND_SEED


def test_each_function_gets_exactly_its_listed_ec2_actions(synth):
    assert set(EC2_ACTIONS) == set(synth.functions)
    for key in synth.functions:
        assert _ec2_sts(synth.actions(synth.role(key))) == set(EC2_ACTIONS[key]), key


def _statements_with(synth, action: str) -> list[tuple[str, dict]]:
    return [(key, s) for key in synth.functions for s in synth.statements(synth.role(key))
            if action in as_list(s["Action"])]


@pytest.mark.parametrize("action", DESTRUCTIVE)
def test_destructive_actions_reach_only_this_deployments_resources(synth, action):
    found = _statements_with(synth, action)
    assert found, f"nobody is granted {action}: the test would prove nothing"
    ours = {"StringEquals": {"aws:ResourceTag/skyrepl:managed": "true",
                             "aws:ResourceTag/skyrepl:control-id": infra_settings.default_control_id("SkyRepl")}}
    for key, statement in found:
        assert statement["Effect"] == "Allow" and statement["Condition"] == ours, key
        assert set(as_list(statement["Action"])) <= set(DESTRUCTIVE), key  # no other action rides on it


def test_create_tags_only_in_the_functions_own_creates_or_of_its_keys_on_instances_it_may_tag(synth):
    found = _statements_with(synth, "ec2:CreateTags")
    assert {key for key, _ in found} == {k for k, actions in EC2_ACTIONS.items() if "ec2:CreateTags" in actions}
    assert set(TAGS_ON_EXISTING) == {"Provision", "PoolKeeper", "Sweeper"}
    control_id = infra_settings.default_control_id("SkyRepl")
    ours = {"aws:ResourceTag/skyrepl:managed": "true", "aws:ResourceTag/skyrepl:control-id": control_id}
    marked = {"aws:RequestTag/skyrepl:managed": "true", "aws:RequestTag/skyrepl:control-id": control_id}
    for key in {key for key, _ in found}:
        statements = [s for k, s in found if k == key]
        assert all(s["Effect"] == "Allow" and as_list(s["Action"]) == ["ec2:CreateTags"] for s in statements), key
        creates = sorted(a.split(":")[1] for a in EC2_ACTIONS[key] if a in TAGGED_CREATES)
        on_create = [s for s in statements if s["Resource"] == "*"]
        assert [s["Condition"] for s in on_create] == ([{"StringEquals": {"ec2:CreateAction": creates}}] if creates
                                                       else []), key  # the sweeper creates nothing
        existing = [s for s in statements if s not in on_create]
        assert all(s["Resource"] == "arn:aws:ec2:*:*:instance/*" for s in existing), key
        if key not in TAGS_ON_EXISTING:
            assert not existing, key
            continue
        keys, whose = TAGS_ON_EXISTING[key]
        only_keys = {"ForAllValues:StringEquals": {"aws:TagKeys": list(keys)}}
        if whose == "ours":  # a claimed pool instance: already this deployment's
            expected = [{**only_keys, "StringEquals": ours}]
        else:  # a spot request's instance, launched untagged: marked ours by this very call
            spot = {"StringEqualsIfExists": {"ec2:InstanceMarketType": "spot"}}
            expected = [{**only_keys, **spot, "Null": {"aws:ResourceTag/skyrepl:control-id": "true"},
                         "StringEquals": marked},
                        {**only_keys, **spot, "StringEquals": {**marked, **ours}}]
        assert [s["Condition"] for s in existing] == expected, key


def test_a_claim_tags_only_its_run_and_deadline_and_the_keeper_no_run_id(synth):
    assert TAGS_ON_EXISTING["Provision"] == (("skyrepl:run-id", "skyrepl:deadline"), "ours")
    keeper_keys, whose = TAGS_ON_EXISTING["PoolKeeper"]
    assert whose == "untagged" and "skyrepl:run-id" not in keeper_keys and "skyrepl:control-id" in keeper_keys


def test_run_instances_only_from_canonicals_images_or_the_accounts_own(synth):
    launchers = {key for key, _ in _statements_with(synth, "ec2:RunInstances")}
    assert launchers == {k for k, actions in EC2_ACTIONS.items() if "ec2:RunInstances" in actions} == {
        "Provision", "PoolKeeper"}
    denies = [(key, s) for key, s in _statements_with(synth, "ec2:RunInstances") if s["Effect"] == "Deny"]
    assert {key for key, _ in denies} == launchers and len(denies) == len(launchers)
    for _, deny in denies:
        assert deny["Resource"] == "arn:aws:ec2:*::image/*" and as_list(deny["Action"]) == ["ec2:RunInstances"]
        assert deny["Condition"] == {"StringNotEquals": {"ec2:Owner": [CANONICAL, {"Ref": "AWS::AccountId"}]}}


# who may touch the skyrepl-{region} private keys; the Api only reads them (GET /v1/keys/{region})
KEY_PARAMETER_ACCESS = {"Provision": ["ssm:GetParameter", "ssm:PutParameter"],
                        "Startup": ["ssm:GetParameter", "ssm:PutParameter"], "Api": ["ssm:GetParameter"],
                        "PoolKeeper": ["ssm:GetParameter", "ssm:PutParameter"]}  # its launches' startup()


def test_the_spot_tuple_is_the_seeds_spot_block():
    assert set(SPOT) == {a for a in SEED_OPTIONAL_ACTIONS if "Spot" in a}


def test_only_provision_startup_the_pool_keeper_and_the_api_reach_the_key_parameters(synth):
    for key in synth.functions:
        ssm = [s for s in synth.statements(synth.role(key)) if any(a.startswith("ssm:") for a in as_list(s["Action"]))
               and "/skyrepl/keys/" in json.dumps(s["Resource"])]
        if key not in KEY_PARAMETER_ACCESS:
            assert not ssm, key
            continue
        (statement,) = ssm
        assert sorted(as_list(statement["Action"])) == KEY_PARAMETER_ACCESS[key], key
        assert statement["Resource"]["Fn::Join"][1][-1].endswith(":parameter/skyrepl/keys/*")


# who may touch a run's --env values (SSM SecureStrings under /skyrepl/runs/), and how
RUN_ENV_ACCESS = {"Api": ["ssm:PutParameter"], "AgentApi": ["ssm:GetParameter"],
                  "Finalize": ["ssm:DeleteParameter"], "Cleanup": ["ssm:DeleteParameter"],
                  "Sweeper": ["ssm:DeleteParameter"]}  # the teardown of a run its workflow left undone


def test_only_the_api_the_agent_route_and_teardown_reach_the_run_environments(synth):
    for key in synth.functions:
        found = [s for s in synth.statements(synth.role(key)) if "/skyrepl/runs/" in json.dumps(s["Resource"])]
        if key not in RUN_ENV_ACCESS:
            assert not found, key
            continue
        (statement,) = found
        assert as_list(statement["Action"]) == RUN_ENV_ACCESS[key], key
        assert statement["Resource"]["Fn::Join"][1][-1].endswith(":parameter/skyrepl/runs/*")


def test_no_ssm_grant_outside_the_known_paths(synth):
    for key in synth.functions:
        for statement in synth.statements(synth.role(key)):
            if any(a.startswith("ssm:") for a in as_list(statement["Action"])):
                # three prefixes, and one name exactly (the quote: where the ARN's string ends)
                assert any(f"/skyrepl/{path}" in json.dumps(statement["Resource"])
                           for path in ("keys/", "tailscale/", "runs/", 'agent/session-key"')), key


def test_only_the_agent_api_reads_and_makes_the_session_key_and_only_that_one(synth):
    for key in synth.functions:
        found = [s for s in synth.statements(synth.role(key)) if "/skyrepl/agent/" in json.dumps(s["Resource"])]
        if key != "AgentApi":
            assert not found, key
            continue
        (statement,) = found
        assert sorted(as_list(statement["Action"])) == ["ssm:GetParameter", "ssm:PutParameter"]
        # exactly the one parameter: no wildcard, no prefix
        assert statement["Resource"]["Fn::Join"][1][-1].endswith(":parameter" + SESSION_KEY_PARAMETER)

