"""AWS error codes mapped, in this one place, to the small taxonomy of functions/core/errors.py.

The workflow's Retry/Catch match on the class names (capacity: retried every 30 s; quota and
permission: fail at once; throttling: retried with jitter), so each message is written for the
person reading `repl run`'s final status: what happened and what to do next.
"""
from contextlib import contextmanager

from botocore.exceptions import ClientError

from functions.core.errors import (AwsError, CapacityError, NameTaken, PermissionDenied, QuotaError,
                                   ResourceStateConflict, ThrottlingError)

CAPACITY = {"InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity",
            # our spot launches set no MaxPrice, so this means the spot price is above on-demand:
            # no spot capacity at a sane price, which another type or region may well have
            "SpotMaxPriceTooLow",
            "InstanceLimitExceeded", "MaxSpotInstanceCountExceeded"}
QUOTA = {"VcpuLimitExceeded"}
PERMISSION = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
              "AuthFailure",
              # bad or expired credentials: the same advice (`aws sts get-caller-identity`) applies
              "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken"}
THROTTLING = {"RequestLimitExceeded", "Throttling", "ThrottlingException"}
# the resource is not in a state for it (CreateImage of an instance that is not running, or gone)
RESOURCE_STATE = {"IncorrectState", "IncorrectInstanceState", "InvalidInstanceID.NotFound"}
NAME_TAKEN = {"InvalidAMIName.Duplicate", "InvalidGroup.Duplicate", "InvalidKeyPair.Duplicate"}

# (codes, error class, message); {detail} is "<Code>: <Message>"
_FAMILIES = (
    (CAPACITY, CapacityError, "EC2 has no capacity for this launch{where} ({detail}). Capacity is per "
                              "Availability Zone and instance type: try another instance type or region"),
    (QUOTA, QuotaError, "The account's vCPU quota{where} is used up ({detail}): request an increase at "
                        "EC2 console > Limits > Request limit increase, or use a smaller instance type"),
    (PERMISSION, PermissionDenied, "AWS refused {action}{where} ({detail}). Check that your IAM policy allows "
                                   "{action} (see the IAM policy in the AWS setup guide) and run "
                                   "`aws sts get-caller-identity` to see which user or role is in use"),
    # seen by the user only once the workflow's own retries are spent
    (THROTTLING, ThrottlingError, "AWS kept throttling {action}{where} ({detail}); try again in a few minutes"),
    (RESOURCE_STATE, ResourceStateConflict, "EC2 cannot do {action} to it now{where} ({detail})"),
    (NAME_TAKEN, NameTaken, "the name is taken{where} ({detail}); choose another"),
)


def code_of(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code") or "Unknown"


def translate(err: ClientError, action: str, region: str | None = None) -> AwsError:
    code, message = code_of(err), err.response.get("Error", {}).get("Message")
    detail = f"{code}: {message}" if message else code
    where = f" in {region}" if region else ""
    for codes, cls, template in _FAMILIES:
        if code in codes:
            return cls(template.format(detail=detail, action=action, where=where), aws_code=code)
    return AwsError(f"{detail} ({action}{where})", aws_code=code)


@contextmanager
def aws_call(action: str, region: str | None = None):
    """`with aws_call("ec2:RunInstances", region): ...` re-raises any ClientError translated.

    Code inside the block may catch a ClientError it expects (e.g. a Duplicate) before this sees it.
    """
    try:
        yield
    except ClientError as err:
        raise translate(err, action, region) from err


@contextmanager
def tolerating(*codes: str):
    """Swallow a ClientError with one of these codes: it is an expected answer, not a failure.

    Use it inside aws_call (`with aws_call(...), tolerating("InvalidGroup.Duplicate"):`).
    """
    try:
        yield
    except ClientError as err:
        if code_of(err) not in codes:
            raise
