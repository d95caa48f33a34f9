"""Which EC2/STS actions each Lambda calls: infra grants exactly these, tests compare them with the seed.

Names only (no boto3), so infra/ can import it.
"""

STARTUP = ("sts:GetCallerIdentity", "ec2:DescribeSecurityGroups", "ec2:CreateSecurityGroup",
           "ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeKeyPairs", "ec2:CreateKeyPair")
LAUNCH = ("ec2:DescribeImages", "ec2:RunInstances", "ec2:CreateTags")
TERMINATE = ("ec2:TerminateInstances", "ec2:DescribeInstances")

# function (workflow task name, or "Api", "AgentApi", "Sweeper") -> EC2/STS actions it may call
EC2_ACTIONS = {
    "Provision": STARTUP + LAUNCH,
    "CheckRegistration": (),
    "StartRun": (),
    "DispatchRun": (),
    "Finalize": TERMINATE,
    "Cleanup": TERMINATE,
    "Sweeper": TERMINATE,
    "Api": (),
    "AgentApi": (),
}

# Private keys of the skyrepl-{region} key pairs are kept as SSM SecureStrings under this path.
KEY_PARAMETER_PREFIX = "/skyrepl/keys/"
