"""Every Lambda: the expected handler, its own role, and the settings make_function() promises."""
import re

import aws_lambda_powertools
import pytest
from infra_helpers import EXPECTED_HANDLERS, as_list, load_app_module, refs_in

from infra import settings



def test_one_function_per_expected_handler(synth):
    handlers = sorted(r["Properties"]["Handler"] for r in synth.of_type("AWS::Lambda::Function").values())
    assert handlers == sorted(EXPECTED_HANDLERS.values())


def test_each_function_has_its_own_role(synth):
    roles = [synth.role(key) for key in synth.functions]
    assert len(set(roles)) == len(roles) == len(EXPECTED_HANDLERS)
    assert all(synth.resources[role]["Type"] == "AWS::IAM::Role" for role in roles)


def test_each_role_has_no_managed_policy_and_writes_to_its_own_log_group_only(synth):
    # AWSLambdaBasicExecutionRole would let every function write to any log group of the account
    for key, (_, props) in synth.functions.items():
        assert "ManagedPolicyArns" not in synth.resources[synth.role(key)]["Properties"], key
        (log_group,) = refs_in(props["LoggingConfig"])
        logs = [(sorted(as_list(s["Action"])), s["Resource"]) for s in synth.statements(synth.role(key))
                if any(a.startswith("logs:") for a in as_list(s["Action"]))]
        assert logs == [(["logs:CreateLogStream", "logs:PutLogEvents"], {"Fn::GetAtt": [log_group, "Arn"]})], key


def test_each_function_is_made_only_once_every_policy_of_its_role_is(synth):
    # a function invoked before its grants exist fails its first calls (the deploy-time Startup would)
    for key, (logical_id, _) in synth.functions.items():
        policies = {policy_id for policy_id, policy in synth.of_type("AWS::IAM::Policy").items()
                    if {"Ref": synth.role(key)} in policy["Properties"]["Roles"]}
        assert policies and policies <= set(synth.resources[logical_id]["DependsOn"]), key


def test_runtime_arch_tracing_and_powertools_layer(synth):
    for key, (_, props) in synth.functions.items():
        assert (props["Runtime"], props["Architectures"], props["TracingConfig"]) == (
            "python3.12", ["x86_64"], {"Mode": "Active"}), key
        (layer,) = props["Layers"]
        # the layer of the very version the tests ran with, looked up at deploy from Powertools' public parameter
        parameter = synth.template["Parameters"][layer["Ref"]]
        assert parameter == {"Type": "AWS::SSM::Parameter::Value<String>", "Default": (
            f"/aws/service/powertools/python/x86_64/python3.12/{aws_lambda_powertools.__version__}")}, key


def test_explicit_memory_timeout_and_log_retention(synth):
    for key, (_, props) in synth.functions.items():
        size = settings.FUNCTION_SIZES[key]
        assert (props["MemorySize"], props["Timeout"]) == (size.memory_mb, size.timeout_s), key
        (log_group,) = refs_in(props["LoggingConfig"])
        assert synth.resources[log_group]["Properties"]["RetentionInDays"] == 30, key


def test_common_environment(synth):
    for key in synth.functions:
        env = synth.env(key)
        assert env["POWERTOOLS_SERVICE_NAME"] == "skyrepl" and env["LOG_LEVEL"] == "INFO", key
        assert env["CONTROL_ID"] == settings.default_control_id("SkyRepl"), key


def test_boot_settings_only_on_the_api(synth):
    boot = {"BOOT_POLL_SECONDS": "5", "BOOT_TIMEOUT_SECONDS": "600", "AGENT_SILENT_SECONDS": "180",
            "CANCEL_GRACE_SECONDS": "30"}
    for key in synth.functions:
        present = {name: synth.env(key)[name] for name in boot if name in synth.env(key)}
        assert present == (boot if key == "Api" else {}), key


def test_no_secret_in_any_environment(synth):
    suspicious = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE|CREDENTIAL|ACCESS_KEY")
    for key in synth.functions:
        assert not [name for name in synth.env(key) if suspicious.search(name)], key


def test_control_id_default_is_deterministic_and_valid():
    first = settings.default_control_id("SkyRepl")
    assert first == settings.default_control_id("SkyRepl") != settings.default_control_id("Other")
    assert re.fullmatch(r"[0-9a-z]{6}", first)
    assert settings.resolve_control_id(None, "SkyRepl") == first
    for bad in ("ABC123", "abc12", "abc1234", "abc-12"):
        with pytest.raises(ValueError):
            settings.resolve_control_id(bad, "SkyRepl")


def test_control_id_from_context_reaches_every_function(tmp_path):
    from aws_cdk.assertions import Template

    _, stack = load_app_module().build(outdir=str(tmp_path), context={"control_id": "k3j9xa"})
    functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    assert {f["Properties"]["Environment"]["Variables"]["CONTROL_ID"] for f in functions.values()} == {"k3j9xa"}
