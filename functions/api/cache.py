"""The AMI cache (24 h per region, version and arch): clearing it forces fresh lookups, the
serverless counterpart of deleting ~/.cache/skyrepl/ in the seed's troubleshooting."""
from functions.aws import amis


def clear() -> dict:
    return {"cleared": amis.clear_ami_cache()}
