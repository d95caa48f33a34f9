"""Which regions a run may name: the EC2 regions of the deployment's partition (botocore's data). A typo
(`us-est-1`) is refused at create, listing the valid ones, rather than failing in Provision and Cleanup."""
from functions.aws import clients
from functions.core.errors import Invalid
from functions.settings import settings


def known() -> list[str]:
    return clients.regions("ec2", settings().default_region)


def check(region: str, field: str = "region") -> str:
    if region not in known():
        raise Invalid(f"{field}: {region!r} is not an EC2 region of this partition; allowed: {', '.join(known())}",
                      field=field)
    return region
