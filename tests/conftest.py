"""Every test runs offline with dummy AWS credentials: nothing can reach a real account.

moto is patched (local/moto_internals.py) for the whole session, as one unit, before any boto3
session exists, and the patches are undone when the session ends.
"""
import os

from local import moto_internals

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                   "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                   # moto's ~1,300 stock images per region match none of our filters and cost seconds
                   "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"})
for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "SKYREPL_CONTROL_PLANE_URL",
             # a developer's own Tailscale account: the embedded stack would mint real auth keys
             "TAILSCALE_API_KEY", "TAILSCALE_TAILNET", "TAILSCALE_API_URL"):
    os.environ.pop(name, None)
moto_internals.install()


def pytest_unconfigure(config):
    moto_internals.uninstall()
