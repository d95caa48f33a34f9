"""The EC2 provider, as the workflow and the sweeper call it.

Every EC2/STS call goes through errors.aws_call with its IAM action, and the actions used are
exactly those of permissions.STARTUP + LAUNCH + TERMINATE + SPOT (tests/functions check it).
"""
from functions.aws.amis import clear_ami_cache, resolve_ami
from functions.aws.instances import (LaunchRequest, find_run_instances, instance_address,
                                     instance_state, launch, list_managed, request_instances, tag,
                                     terminate)
from functions.aws.spot import cancel_spot_request, open_requests, request_spot_instance, spot_price
from functions.aws.startup import private_key, regions_in_use, startup

__all__ = ["startup", "private_key", "regions_in_use", "resolve_ami", "clear_ami_cache", "LaunchRequest", "launch", "terminate",
           "instance_state", "instance_address", "find_run_instances", "list_managed", "request_spot_instance",
           "cancel_spot_request", "spot_price", "tag", "request_instances", "open_requests"]
