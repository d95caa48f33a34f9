"""`python -m local.poweroff REGION INSTANCE_ID`: an emulated `shutdown -h now`.

Instances are launched with InstanceInitiatedShutdownBehavior=terminate, so powering off from
inside terminates the instance: this does exactly that in the emulated EC2.
"""
import sys

from functions.aws import clients


def main(argv: list) -> int:
    region, instance_id = argv
    clients.ec2(region).terminate_instances(InstanceIds=[instance_id])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
