"""The newest Canonical Ubuntu image for a version and arch, cached in kv for 24 h per region.

Name prefixes, as Canonical publishes them in account 099720109477:
- noble (24.04): only `hvm-ssd-gp3/` (gp3 root volume; Canonical's prefix from 23.10 on);
- jammy (22.04): `hvm-ssd/` (gp2) since its release, and `hvm-ssd-gp3/` added later: `hvm-ssd*`
  takes both and the newest wins, so we follow whichever series Canonical keeps publishing;
- focal (20.04): only `hvm-ssd/`.
Other `ubuntu/images/` prefixes (hvm-instance, hvm-io1, ...) and the Pro/minimal/EKS images live
under other names and are not matched.
"""
from functions.aws import clients
from functions.aws.errors import aws_call
from functions.aws.permissions import CANONICAL
from functions.core.errors import AwsError
from functions.core.specs import VERSIONS
from functions.store import kv

AMI_CACHE_SECONDS = 24 * 60 * 60  # a day, as the seed promises; `repl cache clear` forces a lookup
NAME_PREFIX = {"noble": "hvm-ssd-gp3", "jammy": "hvm-ssd*", "focal": "hvm-ssd"}
EC2_ARCH = {"amd64": "x86_64", "arm64": "arm64"}


def name_pattern(version: str, arch: str) -> str:
    return f"ubuntu/images/{NAME_PREFIX[version]}/ubuntu-{version}-{VERSIONS[version]}-{arch}-server-*"


def resolve_ami(region: str, version: str, arch: str) -> str:
    key = f"ami#{region}#{version}#{arch}"
    cached = kv.get(key)
    if cached:
        return cached["image_id"]
    image = newest_image(region, version, arch)
    kv.put(key, {"image_id": image["ImageId"], "name": image["Name"], "created": image["CreationDate"]},
           ttl_seconds=AMI_CACHE_SECONDS)
    return image["ImageId"]


def newest_image(region: str, version: str, arch: str) -> dict:
    if version not in NAME_PREFIX or arch not in EC2_ARCH:
        raise AwsError(f"no Ubuntu image for {version}/{arch}: versions {', '.join(NAME_PREFIX)}; "
                            f"arches {', '.join(EC2_ARCH)}")
    pattern = name_pattern(version, arch)
    with aws_call("ec2:DescribeImages", region):
        images = clients.ec2(region).describe_images(Owners=[CANONICAL], Filters=[
            {"Name": "name", "Values": [pattern]}, {"Name": "state", "Values": ["available"]},
            {"Name": "architecture", "Values": [EC2_ARCH[arch]]}])["Images"]
    if not images:
        raise AwsError(f"no available Ubuntu {version} ({VERSIONS[version]}) {arch} image from Canonical "
                            f"(account {CANONICAL}) named {pattern} in {region}; check that the region is "
                            "enabled for this account, or try another region or Ubuntu version")
    # ISO-8601 CreationDates sort as text; the name (which ends in the build serial) breaks ties
    return max(images, key=lambda image: (image["CreationDate"], image["Name"]))


def clear_ami_cache() -> int:
    return kv.delete_prefix("ami#")
