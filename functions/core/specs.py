"""`--spec` parsing: an EC2 instance type, or `distro:version:arch` (seed: aws-setup.md)."""
import re
from dataclasses import dataclass

from .errors import Invalid

DISTROS = ("ubuntu",)
VERSIONS = {"noble": "24.04", "jammy": "22.04", "focal": "20.04"}
ARCHES = ("amd64", "arm64")
DEFAULT_TYPES = {"amd64": "t3.micro", "arm64": "t4g.micro"}
DEFAULT_VERSION = "noble"

# Graviton families: `a1`, and every family whose generation digit is followed by `g`
# (t4g, c6gn, c7gd, m7g, r8g, x2gd, im4gn, is4gen, hpc7g, g5g, ...).
_GRAVITON = re.compile(r"^(a1|[a-z]+[0-9]+g[a-z]*)$")
INSTANCE_TYPE = r"^([a-z][a-z0-9-]*[0-9][a-z0-9-]*)\.([a-z0-9]+)$"  # ASCII only: see core/requests.py
_INSTANCE_TYPE = re.compile(INSTANCE_TYPE)
# Either form, spaces around allowed (the API's models publish it)
SPEC = rf"^ *(?:{INSTANCE_TYPE[1:-1]}|(?:{'|'.join(DISTROS)}):(?:{'|'.join(VERSIONS)}):(?:{'|'.join(ARCHES)})) *$"
MAX_SPEC_CHARS = 64  # EC2's longest type names are about 20


@dataclass(frozen=True)
class Spec:
    text: str
    instance_type: str
    distro: str
    version: str
    arch: str

    @property
    def release(self) -> str:
        return VERSIONS[self.version]


def arch_of(instance_type: str) -> str:
    family = instance_type.split(".", 1)[0]
    return "arm64" if _GRAVITON.fullmatch(family) else "amd64"


def parse_spec(text: str) -> Spec:
    if not isinstance(text, str) or not text.strip():
        raise Invalid(f"spec: required; {_ALLOWED}", field="spec")
    text = text.strip()
    if len(text) > MAX_SPEC_CHARS:
        raise Invalid(f"spec: longer than {MAX_SPEC_CHARS} characters; {_ALLOWED}", field="spec")
    if ":" in text:
        return _parse_os_descriptor(text)
    if not _INSTANCE_TYPE.fullmatch(text):
        raise Invalid(f"spec: {text!r} is neither an EC2 instance type nor distro:version:arch; {_ALLOWED}", field="spec")
    return Spec(text, text, "ubuntu", DEFAULT_VERSION, arch_of(text))


def _parse_os_descriptor(text: str) -> Spec:
    parts = text.split(":")
    if len(parts) != 3:
        raise Invalid(f"spec: {text!r} must have three parts, distro:version:arch; {_ALLOWED}", field="spec")
    distro, version, arch = parts
    if distro not in DISTROS:
        raise Invalid(f"spec: distro {distro!r} is not supported; distro: {', '.join(DISTROS)}", field="spec")
    if version not in VERSIONS:
        raise Invalid(f"spec: version {version!r} is not supported; version: {', '.join(VERSIONS)}", field="spec")
    if arch not in ARCHES:
        raise Invalid(f"spec: arch {arch!r} is not supported; arch: {', '.join(ARCHES)}", field="spec")
    return Spec(text, DEFAULT_TYPES[arch], distro, version, arch)


ALLOWED = "an EC2 instance type (e.g. t3.micro, c8g.large) or ubuntu:<noble|jammy|focal>:<amd64|arm64>"
_ALLOWED = f"allowed: {ALLOWED}"
