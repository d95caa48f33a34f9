"""The skyrepl-{region} private keys, for administrators: `repl ssh --region-key` (DESIGN 3.7).

startup() creates each region's key pair on the first launch there and keeps its private key as an SSM
SecureString; its kv record `startup#<region>` says whether that key was saved or lost.
"""
from functions.aws import provider
from functions.core.errors import Conflict, NotFound
from functions.core.naming import key_pair_name
from functions.store import kv

LOST = ("region: the private key of key pair {name} in {region} was not saved (EC2 gives it out only once, "
        "when the key pair is created), so no one can SSH in with it. To recover, delete the key pair: "
        "`aws ec2 delete-key-pair --key-name {name} --region {region}`; the next launch in {region} then "
        "creates a new one and keeps its key (instances already running keep the old one)")


def private_key(region: str) -> dict:
    started = kv.get(f"startup#{region}")
    name = key_pair_name(region)
    if not started:
        raise NotFound(f"region: no launch has happened in {region} yet, so it has no key pair {name}",
                       field="region")
    pem = None if started.get("private_key_lost") else provider.private_key(region)
    if pem is None:
        raise Conflict(LOST.format(name=name, region=region), field="region")
    return {"region": region, "key_name": started.get("key_name", name), "private_key": pem}
