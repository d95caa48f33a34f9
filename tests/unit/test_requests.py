"""The create-run body: defaults, and a 400 for each bad field whose message starts with its name."""
import pytest

from functions.core.errors import Invalid
from functions.core.requests import MAX_COMMAND_BYTES, parse_run_request

MINIMAL = {"spec": "t3.micro", "command": "echo hi"}
WEEK_MS = 7 * 24 * 3_600_000


def refused(body, default_region="us-east-1") -> Invalid:
    with pytest.raises(Invalid) as err:
        parse_run_request(body, default_region)
    return err.value


def test_only_spec_and_command_are_required_the_rest_has_defaults():
    req = parse_run_request(MINIMAL, "eu-west-1")
    assert (req.provider, req.command, req.max_duration_ms, req.spot, req.region) == (
        "aws", "echo hi", 3_600_000, False, "eu-west-1")
    assert req.spec.instance_type == "t3.micro"


def test_every_field_given_is_kept():
    body = {**MINIMAL, "provider": "aws", "max_duration_ms": 5000, "spot": True, "region": "ap-southeast-1"}
    req = parse_run_request(body, "us-east-1")
    assert (req.max_duration_ms, req.spot, req.region) == (5000, True, "ap-southeast-1")


@pytest.mark.parametrize("field, value, allowed", [
    ("provider", "gcp", "allowed: aws"),
    ("spec", "nope", "allowed: an EC2 instance type"),
    ("command", "", "non-empty shell command"),
    ("command", "   ", "non-empty shell command"),
    ("command", 42, "non-empty shell command"),
    ("command", "x" * (MAX_COMMAND_BYTES + 1), f"longer than {MAX_COMMAND_BYTES} bytes"),
    ("max_duration_ms", 999, "from 1000 to 604800000"),
    ("max_duration_ms", WEEK_MS + 1, "from 1000 to 604800000"),
    ("max_duration_ms", "60000", "an integer number of milliseconds"),
    ("max_duration_ms", 60000.0, "an integer number of milliseconds"),
    ("max_duration_ms", True, "an integer number of milliseconds"),
    ("spot", "yes", "allowed: true, false"),
    ("spot", 1, "allowed: true, false"),
    ("region", "US-EAST-1", "allowed: e.g. us-east-1"),
    ("region", "moon-base-1", "allowed: e.g. us-east-1"),
    ("region", 7, "allowed: e.g. us-east-1"),
])
def test_each_bad_field_is_named_first_with_what_is_allowed(field, value, allowed):
    err = refused({**MINIMAL, field: value})
    assert err.field == field and err.message.startswith(f"{field}: ")
    assert allowed in err.message


@pytest.mark.parametrize("missing", ["spec", "command"])
def test_a_missing_required_field_is_named(missing):
    body = dict(MINIMAL)
    del body[missing]
    err = refused(body)
    assert err.field == missing and err.message.startswith(f"{missing}: required")


@pytest.mark.parametrize("value", [1000, WEEK_MS])
def test_max_duration_bounds_are_inclusive(value):
    assert parse_run_request({**MINIMAL, "max_duration_ms": value}, "us-east-1").max_duration_ms == value


def test_unknown_fields_are_refused_naming_the_field_and_the_allowed_ones():
    err = refused({**MINIMAL, "instance_type": "t3.micro"})
    assert err.field == "instance_type" and err.message.startswith("instance_type: unknown field")
    assert "allowed: provider, spec, command, max_duration_ms, specs, spot, spot_policy, region, regions" in err.message


@pytest.mark.parametrize("body", [None, [], "echo hi", 3])
def test_a_body_that_is_not_an_object_is_refused_as_body(body):
    err = refused(body)
    assert err.field == "body" and err.message.startswith("body: ")


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "ap-northeast-3", "us-gov-west-1", "il-central-1"])
def test_real_region_names_are_accepted(region):
    assert parse_run_request({**MINIMAL, "region": region}, "us-east-1").region == region


@pytest.mark.parametrize("region", ["", False, 0])
def test_an_empty_or_false_region_is_refused_not_silently_defaulted(region):
    err = refused({**MINIMAL, "region": region})
    assert err.field == "region" and err.message.startswith("region: ")
