"""Typed domain errors. HTTP mapping lives in functions/http_errors.py; AWS error codes map here in aws/errors.py."""


class DomainError(Exception):
    code = "internal"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """Bad input: the message starts with the field's name and lists what is allowed."""

    code = "invalid_request"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Gone(DomainError):
    code = "gone"


# Workflow errors: the class name is the Step Functions error name (Lambda's errorType), so the
# state machine's Retry/Catch match on these names. Keep them in sync with workflow/definition.py.


class WorkflowError(Exception):
    pass


class CapacityError(WorkflowError):
    """InsufficientInstanceCapacity and friends: retried every 30 s, then fails with advice."""


class QuotaError(WorkflowError):
    """VcpuLimitExceeded and friends: fails at once, pointing to the quota request."""


class PermissionDenied(WorkflowError):
    """AccessDenied / UnauthorizedOperation: fails at once, naming the missing action."""


class ThrottlingError(WorkflowError):
    """RequestLimitExceeded / Throttling: retried with jitter."""


class ProviderError(WorkflowError):
    """Any other AWS error: fails with the AWS code and message."""


class BootTimeout(WorkflowError):
    pass


class DeadlineReached(WorkflowError):
    pass


class RunCancelled(WorkflowError):
    pass


class TerminationNotConfirmed(WorkflowError):
    """TerminateInstances was sent but EC2 does not show the instance shutting down yet: retried."""
