"""Every error the control plane expects, under one root, each with its HTTP status and code.

The HTTP answer is made in one place (functions/http_errors.py) from `status`, `code`, `message` and
`field`. AWS error codes are mapped to the AWS family below in one place (functions/aws/errors.py).
A class name is also a Step Functions error name: Lambda reports the exception's class as its
errorType, so the state machine's Retry/Catch (functions/workflow/definition.py) and every
SendTaskFailure (functions/aws/stepfunctions.py) use exactly these names, and nothing else.
"""


class SkyReplError(Exception):
    status = 500
    code = "internal"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field  # the one input field at fault; the message then starts with its name


# The caller's errors: bad input, no access, a state that does not allow it.


class Invalid(SkyReplError):
    """Bad input: the message starts with the field's name and lists what is allowed."""

    status, code = 400, "invalid_request"


class Unauthorized(SkyReplError):
    status, code = 401, "unauthorized"


class Forbidden(SkyReplError):
    status, code = 403, "forbidden"


class NotFound(SkyReplError):
    status, code = 404, "not_found"


class MethodNotAllowed(SkyReplError):
    """The path exists, the method does not: the answer's Allow header lists those that do (RFC 9110)."""

    status, code = 405, "method_not_allowed"

    def __init__(self, message: str, allowed: tuple[str, ...]):
        super().__init__(message, field="method")
        self.allowed = allowed


class LimitReached(SkyReplError):
    """One of this deployment's limits (set at deploy: functions/core/limits.py), named in the message."""

    status, code = 403, "limit_reached"


class TooManyRuns(LimitReached):
    status = 429  # it passes: a run ending makes room


class Conflict(SkyReplError):
    status, code = 409, "conflict"


class Gone(SkyReplError):
    status, code = 410, "gone"


# AWS refused or failed (functions/aws/errors.py picks the class from the AWS error code).


class AwsError(SkyReplError):
    """Any other AWS error: the AWS code and message, and the action that got them."""

    status, code = 502, "aws_error"

    def __init__(self, message: str, aws_code: str = "Unknown", field: str | None = None):
        super().__init__(message, field)
        self.aws_code = aws_code  # lets a caller tell one AwsError (e.g. a NotFound) from another


class CapacityError(AwsError):
    """InsufficientInstanceCapacity and friends: retried every 30 s, then fails with advice."""

    status, code = 503, "capacity"


class QuotaError(AwsError):
    """VcpuLimitExceeded and friends: fails at once, pointing to the quota request."""

    status, code = 503, "quota"


class PermissionDenied(AwsError):
    """AccessDenied / UnauthorizedOperation: the control plane's own role lacks an action (its
    operator's to fix, not the caller's): fails at once, naming the missing action."""

    status, code = 500, "permission_denied"


class ResourceStateConflict(AwsError):
    """EC2 will not do it to the resource in its present state (an instance not running, gone)."""

    status, code = 409, "conflict"


class NameTaken(AwsError):
    """A name AWS wants unique (per account and region) is taken already."""

    status, code = 409, "conflict"


class ThrottlingError(AwsError):
    """RequestLimitExceeded / Throttling: retried with jitter; try again later."""

    status, code = 503, "throttled"


# The run's own ends, raised by workflow tasks and sent with SendTaskFailure; never an HTTP answer.


class BootTimeout(SkyReplError):
    """The agent did not register within the boot timeout."""


class DeadlineReached(SkyReplError):
    """Max-duration is used up."""


class RunCancelled(SkyReplError):
    """The user cancelled the run (or its record is gone: nothing is left to run it for)."""


class InstanceSwept(SkyReplError):
    """The sweeper terminated the run's instance (its agent silent, its run ended...)."""


class TerminationNotConfirmed(SkyReplError):
    """TerminateInstances was sent but EC2 does not show the instance shutting down yet: retried."""


# The Step Functions error names the state machine matches (and nothing else sends).
WORKFLOW_ERRORS = (CapacityError, QuotaError, PermissionDenied, ThrottlingError, AwsError, BootTimeout,
                   DeadlineReached, RunCancelled, InstanceSwept, TerminationNotConfirmed)


def run_not_found(run_id: str) -> NotFound:
    """Another owner's run, or none: the caller cannot tell which (tests' fakes say it the same way)."""
    return NotFound(f"run_id: run {run_id} not found", field="run_id")
