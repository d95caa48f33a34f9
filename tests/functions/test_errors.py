"""AWS error codes become the workflow's small taxonomy, with a message that says what to do."""
import pytest
from botocore.exceptions import ClientError

from functions.aws import clients, errors, provider
from functions.core.errors import CapacityError, PermissionDenied, AwsError, QuotaError, ThrottlingError
from tests.functions.conftest import REGION, inject, request

FAMILIES = {
    CapacityError: ["InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity",
                    "SpotMaxPriceTooLow", "InstanceLimitExceeded", "MaxSpotInstanceCountExceeded"],
    QuotaError: ["VcpuLimitExceeded"],
    PermissionDenied: ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
                       "AuthFailure"],
    ThrottlingError: ["RequestLimitExceeded", "Throttling", "ThrottlingException"],
    AwsError: ["InvalidParameterValue", "IdempotentParameterMismatch"],
}
CASES = [(code, cls) for cls, codes in FAMILIES.items() for code in codes]


def launch_failing_with(code: str, message: str = "injected message") -> Exception:
    req = request()
    inject(clients.ec2(REGION), "RunInstances", code, message)
    with pytest.raises(Exception) as caught:
        provider.launch(req)
    return caught.value


@pytest.mark.parametrize("code, cls", CASES)
def test_each_code_maps_to_its_family(code, cls):
    err = errors.translate(ClientError({"Error": {"Code": code, "Message": "m"}}, "RunInstances"), "ec2:RunInstances")
    assert type(err) is cls and err.aws_code == code  # exact class: Step Functions matches on its name
    assert code in str(err)


def test_a_capacity_error_from_run_instances_suggests_another_type_or_region(aws):
    err = launch_failing_with("InsufficientInstanceCapacity", "We currently do not have sufficient capacity")
    assert isinstance(err, CapacityError) and "try another instance type or region" in str(err)
    assert "We currently do not have sufficient capacity" in str(err)
    assert isinstance(err.__cause__, ClientError)  # the original stays attached for the logs


def test_a_quota_error_points_to_the_limit_increase_in_that_region(aws):
    err = launch_failing_with("VcpuLimitExceeded", "You have requested more vCPU capacity than allowed")
    assert isinstance(err, QuotaError)
    assert "EC2 console > Limits > Request limit increase" in str(err) and REGION in str(err)


def test_a_permission_error_names_the_action_and_the_identity_check(aws):
    err = launch_failing_with("UnauthorizedOperation", "You are not authorized to perform this operation.")
    assert isinstance(err, PermissionDenied)
    assert "ec2:RunInstances" in str(err) and "aws sts get-caller-identity" in str(err)


def test_bad_credentials_at_startup_are_a_permission_error(aws):
    inject(clients.sts(REGION), "GetCallerIdentity", "InvalidClientTokenId", "The security token is invalid.")
    with pytest.raises(PermissionDenied, match="sts:GetCallerIdentity"):
        provider.startup(REGION)


def test_anything_else_keeps_the_aws_code_message_and_action(aws):
    err = launch_failing_with("InvalidParameterValue", "Value (x9.huge) for parameter instanceType is invalid")
    assert type(err) is AwsError
    assert str(err) == ("InvalidParameterValue: Value (x9.huge) for parameter instanceType is invalid "
                        "(ec2:RunInstances in us-east-1)")


def test_throttling_on_terminate_is_retryable_not_swallowed(aws):
    inject(clients.ec2(REGION), "TerminateInstances", "RequestLimitExceeded")
    with pytest.raises(ThrottlingError):
        provider.terminate(REGION, "i-0123456789abcdef0")
