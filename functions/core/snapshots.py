"""Snapshots (AMIs of a run's instance): their states, names, tags, and the create-snapshot request."""
import re
import time

from .errors import Invalid
from .naming import TAG_CONTROL_ID, TAG_MANAGED, TAG_RUN_ID

PENDING, AVAILABLE, FAILED = "pending", "available", "failed"
# EC2 image states to ours: anything not on its way to `available` is a failure (invalid,
# deregistered, failed, error, disabled, or the image is gone altogether).
_STATES = {"pending": PENDING, "transient": PENDING, "available": AVAILABLE}
ARCH_OF_EC2 = {"x86_64": "amd64", "arm64": "arm64"}
FIELDS = ("source", "name")
# Published by the API's models too (ASCII only: see core/requests.py). EC2's ids are 8 or 17 hex digits.
AMI_ID = r"^ami-[0-9a-f]{1,32}$"
INSTANCE_ID = r"^i-[0-9a-f]{1,32}$"
RUN_ID = r"^[0-9a-z]{1,32}$"
SOURCE = rf"{RUN_ID}|{INSTANCE_ID}"
# EC2's rule for image names: 3-128 characters of letters, digits, ( ) [ ] space . / - ' @ _
IMAGE_NAME = r"^[A-Za-z0-9()\[\] ./'@_-]{3,128}$"
_AMI_ID, _INSTANCE_ID, _RUN_ID, _NAME = (re.compile(p) for p in (AMI_ID, INSTANCE_ID, RUN_ID, IMAGE_NAME))


def state_of(ec2_state: str | None) -> str:
    return _STATES.get(ec2_state, FAILED)


def image_id(value, field: str) -> str:
    if not isinstance(value, str) or not _AMI_ID.fullmatch(value):
        raise Invalid(f"{field}: {value!r} is not a snapshot id; allowed: an AMI id such as ami-0abc123",
                      field=field)
    return value


def is_instance_id(source: str) -> bool:
    return bool(_INSTANCE_ID.fullmatch(source))


def parse_create(body) -> tuple[str, str | None]:
    """(source, name) of POST /v1/snapshots; source is a run id or an instance id."""
    if not isinstance(body, dict):
        raise Invalid("body: must be a JSON object with fields " + ", ".join(FIELDS), field="body")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise Invalid(f"{unknown[0]}: unknown field; allowed: {', '.join(FIELDS)}", field=unknown[0])
    source, name = body.get("source"), body.get("name")
    if not isinstance(source, str) or not (_RUN_ID.fullmatch(source) or is_instance_id(source)):
        raise Invalid(f"source: {source!r} is not a run id (r8k2m9xq1d) or an instance id (i-0abc...)",
                      field="source")
    if name is not None and (not isinstance(name, str) or not _NAME.fullmatch(name)):
        raise Invalid(f"name: {name!r} is not a valid image name; allowed: 3 to 128 letters, digits, "
                      "spaces and ( ) [ ] . / - ' @ _", field="name")
    return source, name


def default_name(control_id: str, run_id: str, now_ms: int) -> str:
    # unique per account and region, as EC2 requires of image names (colons are not allowed)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now_ms / 1000))
    return f"repl-{control_id}-{run_id}-{stamp}"


def image_tags(control_id: str, run_id: str, name: str) -> dict:
    return {TAG_MANAGED: "true", TAG_CONTROL_ID: control_id, TAG_RUN_ID: run_id, "Name": name}
