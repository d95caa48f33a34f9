"""`--spec`: an EC2 instance type or ubuntu:<version>:<arch>; Graviton types run arm64 images."""
import pytest

from functions.core.errors import Invalid
from functions.core.specs import parse_spec

GRAVITON = ("a1.medium", "t4g.nano", "c6g.large", "c6gn.xlarge", "c7gd.large", "c8g.large", "m7g.medium",
            "r8g.large", "x2gd.xlarge", "im4gn.large", "is4gen.medium", "hpc7g.4xlarge", "g5g.xlarge")
X86 = ("t3.micro", "m5.large", "c7i.large", "g4dn.xlarge", "p4d.24xlarge", "inf2.xlarge")


@pytest.mark.parametrize("instance_type", GRAVITON)
def test_graviton_instance_types_are_arm64(instance_type):
    spec = parse_spec(instance_type)
    assert (spec.instance_type, spec.arch, spec.distro, spec.version) == (instance_type, "arm64", "ubuntu", "noble")


@pytest.mark.parametrize("instance_type", X86)
def test_other_instance_types_are_amd64(instance_type):
    spec = parse_spec(instance_type)
    assert (spec.instance_type, spec.arch) == (instance_type, "amd64")


@pytest.mark.parametrize("text, instance_type", [
    ("ubuntu:noble:amd64", "t3.micro"), ("ubuntu:jammy:arm64", "t4g.micro"), ("ubuntu:focal:amd64", "t3.micro")])
def test_os_descriptor_picks_the_default_type_for_its_arch(text, instance_type):
    spec = parse_spec(text)
    assert (spec.instance_type, spec.arch, spec.version) == (instance_type, text.split(":")[2], text.split(":")[1])


def test_os_descriptor_knows_the_ubuntu_release_number():
    assert [parse_spec(f"ubuntu:{v}:amd64").release for v in ("noble", "jammy", "focal")] == ["24.04", "22.04", "20.04"]


def test_surrounding_spaces_are_ignored():
    assert parse_spec("  c8g.large ").text == "c8g.large"


@pytest.mark.parametrize("text, allowed", [
    (None, "ubuntu:<noble|jammy|focal>:<amd64|arm64>"),
    ("", "ubuntu:<noble|jammy|focal>:<amd64|arm64>"),
    ("t3micro", "an EC2 instance type (e.g. t3.micro, c8g.large)"),
    ("T3.MICRO", "an EC2 instance type (e.g. t3.micro, c8g.large)"),
    ("ubuntu:noble", "ubuntu:<noble|jammy|focal>:<amd64|arm64>"),
    ("ubuntu:noble:amd64:x", "ubuntu:<noble|jammy|focal>:<amd64|arm64>"),
    ("debian:noble:amd64", "distro: ubuntu"),
    ("ubuntu:bionic:amd64", "version: noble, jammy, focal"),
    ("ubuntu:noble:x86_64", "arch: amd64, arm64"),
])
def test_each_bad_spec_is_refused_naming_spec_and_what_is_allowed(text, allowed):
    with pytest.raises(Invalid) as err:
        parse_spec(text)
    assert err.value.field == "spec" and err.value.message.startswith("spec: ")
    assert allowed in err.value.message
