"""startup(): per region, check the credentials and make sure the `skyrepl-default` security group and
the `skyrepl-{region}` key pair exist (seed: aws-setup.md, "Automatic Setup").

The result is kept in kv under `startup#<region>` with no expiry: later launches in that region skip
all of this, and the sweeper reads those keys as the list of regions in use.
"""
from functions.aws import clients
from functions.aws.errors import aws_call, tolerating
from functions.aws.permissions import KEY_PARAMETER_PREFIX
from functions.core.naming import SECURITY_GROUP_NAME, TAG_MANAGED, key_pair_name
from functions.settings import settings
from functions.store import kv

MANAGED = [{"Key": TAG_MANAGED, "Value": "true"}]
SSH_PORT = 22
SSH_FROM_ANYWHERE = {"IpProtocol": "tcp", "FromPort": SSH_PORT, "ToPort": SSH_PORT,
                     "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "SSH (SkyREPL)"}],
                     "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "SSH (SkyREPL)"}]}


def startup(region: str) -> dict:
    cached = kv.get(f"startup#{region}")
    if cached and not cached.get("private_key_lost"):  # lost: look again, the user may have deleted the key pair
        return cached
    with aws_call("sts:GetCallerIdentity", region):
        account = clients.sts(region).get_caller_identity()["Account"]
    result = {"account": account, "security_group_id": ensure_security_group(region), **ensure_key_pair(region)}
    kv.put(f"startup#{region}", result)
    return result


def regions_in_use() -> list:
    """Every region startup() has run in (so every region that may hold an instance of ours), and the
    default one."""
    started = {key.split("#", 1)[1] for key in kv.keys("startup#")}
    return sorted(started | {settings().default_region})


def ensure_security_group(region: str) -> str:
    # An existing group is used as it is: the seed lets users narrow or remove its SSH rule.
    return _find_group(region) or _create_group(region)


def _find_group(region: str) -> str | None:
    with aws_call("ec2:DescribeSecurityGroups", region):
        groups = clients.ec2(region).describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [SECURITY_GROUP_NAME]}])["SecurityGroups"]
    return groups[0]["GroupId"] if groups else None


def _create_group(region: str) -> str:
    ec2, group_id = clients.ec2(region), None
    with aws_call("ec2:CreateSecurityGroup", region), tolerating("InvalidGroup.Duplicate"):
        group_id = ec2.create_security_group(
            GroupName=SECURITY_GROUP_NAME, Description="SkyREPL managed security group",
            TagSpecifications=[{"ResourceType": "security-group", "Tags": MANAGED}])["GroupId"]
    if group_id is None:
        return _find_group(region)  # a concurrent startup created it first (and opens SSH)
    with aws_call("ec2:AuthorizeSecurityGroupIngress", region), tolerating("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[SSH_FROM_ANYWHERE])
    return group_id


def ensure_key_pair(region: str) -> dict:
    name, ec2 = key_pair_name(region), clients.ec2(region)
    with aws_call("ec2:DescribeKeyPairs", region):
        exists = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}])["KeyPairs"]
    if exists:
        # EC2 hands a private key out only once, at creation: if ours was not saved, launches still
        # work but nobody can SSH in with this key pair. Record that rather than fail the run.
        return {"key_name": name} if _key_saved(region) else {"key_name": name, "private_key_lost": True}
    created = None
    with aws_call("ec2:CreateKeyPair", region), tolerating("InvalidKeyPair.Duplicate"):
        created = ec2.create_key_pair(KeyName=name, TagSpecifications=[
            {"ResourceType": "key-pair", "Tags": MANAGED + [{"Key": "Name", "Value": name}]}])
    if created:  # else a concurrent startup created it, and saves its private key
        _save_key(region, created["KeyMaterial"])
    return {"key_name": name}


def key_parameter(region: str) -> str:
    return KEY_PARAMETER_PREFIX + region


def _home_ssm():
    # Every region's key is kept in the control plane's own region, where its role may write them.
    return clients.ssm(settings().default_region)


def _save_key(region: str, pem: str) -> None:
    with aws_call("ssm:PutParameter", settings().default_region):
        _home_ssm().put_parameter(Name=key_parameter(region), Value=pem, Type="SecureString", Overwrite=True,
                                  Description=f"private key of EC2 key pair {key_pair_name(region)}")


def _key_saved(region: str) -> bool:
    return private_key(region, decrypt=False) is not None


def private_key(region: str, decrypt: bool = True) -> str | None:
    """The skyrepl-{region} private key (PEM) as startup() saved it; None if it never was."""
    found = None
    with aws_call("ssm:GetParameter", settings().default_region), tolerating("ParameterNotFound"):
        found = _home_ssm().get_parameter(Name=key_parameter(region), WithDecryption=decrypt)
    return found["Parameter"]["Value"] if found else None
