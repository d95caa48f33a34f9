"""The EC2 provider, as the workflow and the sweeper call it.

Every EC2/STS call goes through errors.aws_call with its IAM action, and the actions used are
exactly those of permissions.STARTUP + LAUNCH + TERMINATE (tests/functions check it).
"""
from functions.aws.amis import clear_ami_cache, resolve_ami
from functions.aws.instances import LaunchRequest, find_run_instances, instance_state, launch, list_managed, terminate
from functions.aws.startup import startup

__all__ = ["startup", "resolve_ami", "clear_ami_cache", "LaunchRequest", "launch", "terminate", "instance_state",
           "find_run_instances", "list_managed"]
