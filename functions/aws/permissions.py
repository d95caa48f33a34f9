"""Which EC2/STS actions each Lambda calls: infra grants exactly these, tests compare them with the seed.

Names only (no boto3), so infra/ can import it.
"""

STARTUP = ("sts:GetCallerIdentity", "ec2:DescribeSecurityGroups", "ec2:CreateSecurityGroup",
           "ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeKeyPairs", "ec2:CreateKeyPair")
LAUNCH = ("ec2:DescribeImages", "ec2:RunInstances", "ec2:CreateTags")
TERMINATE = ("ec2:TerminateInstances", "ec2:DescribeInstances")
# AMI snapshots (the seed's "For snapshots, add"; DescribeImages is in its base policy)
SNAPSHOT = ("ec2:CreateImage", "ec2:DeregisterImage", "ec2:DeleteSnapshot", "ec2:DescribeImages")
# The seed's "For spot instances, add" (functions/aws/spot.py). Only the price is called by a Lambda
# (Provision); the persistent requests wait for the warm pool, so no function is granted them yet.
SPOT = ("ec2:RequestSpotInstances", "ec2:CancelSpotInstanceRequests", "ec2:DescribeSpotPriceHistory")
SPOT_PRICE = ("ec2:DescribeSpotPriceHistory",)

# function (workflow task name, or "Api", "AgentApi", "Sweeper") -> EC2/STS actions it may call
EC2_ACTIONS = {
    "Provision": STARTUP + LAUNCH + SPOT_PRICE,  # the spot price is recorded before a spot launch
    "CheckRegistration": ("ec2:DescribeInstances",),  # the registered instance's public IP
    "StartRun": (),
    "DispatchRun": (),
    "Finalize": TERMINATE,
    "Cleanup": TERMINATE,
    "Sweeper": TERMINATE,
    # the deploy-time startup() for the stack's own region; it tags the group and key pair at creation,
    # which EC2 authorizes as ec2:CreateTags (without it, the deploy-time startup always failed)
    "Startup": STARTUP + ("ec2:CreateTags",),
    # the snapshot routes; CreateImage tags image and snapshots on create, which IAM checks as ec2:CreateTags
    "Api": SNAPSHOT + ("ec2:CreateTags",),
    "AgentApi": (),
}

# Not EC2 (so not in EC2_ACTIONS, which tests compare with the seed's policy): the Price List API
# (functions/aws/prices.py). Provision looks up the on-demand price the run pays before its launch.
PRICE_LIST_ACTIONS = {"Provision": ("pricing:GetProducts",)}

# Canonical's account: Ubuntu's images (functions/aws/amis.py looks them up; RunInstances may launch
# only these and the account's own snapshots).
CANONICAL = "099720109477"
# The creates that tag what they make (TagSpecifications), which IAM authorizes as ec2:CreateTags.
TAGGED_CREATES = ("ec2:RunInstances", "ec2:CreateSecurityGroup", "ec2:CreateKeyPair", "ec2:CreateImage")
# Destructive actions: granted only on resources tagged with the deployment's control id.
DESTRUCTIVE = ("ec2:TerminateInstances", "ec2:DeregisterImage", "ec2:DeleteSnapshot")

# Private keys of the skyrepl-{region} key pairs are kept as SSM SecureStrings under this path.
KEY_PARAMETER_PREFIX = "/skyrepl/keys/"
# The key that signs agents' session credentials (functions/core/tokens.py): an SSM SecureString the
# AgentApi creates on its first need and reads (functions/aws/session_key.py).
SESSION_KEY_PARAMETER = "/skyrepl/agent/session-key"
# A run's `--env` values, as one SSM SecureString per run, from its creation until its teardown.
RUN_ENV_PARAMETER_PREFIX = "/skyrepl/runs/"
# Synced working directories, content-addressed per owner, in the workdir bucket under this prefix.
WORKDIR_PREFIX = "workdirs/"
# Run artifacts, per run id (artifacts/<run id>/<path>), in the same bucket.
ARTIFACT_PREFIX = "artifacts/"
# Bulk run output, per run and batch (logs/<run id>/<seq>.json.gz), in the same bucket.
LOG_PREFIX = "logs/"
