"""Which EC2/STS actions each Lambda calls: infra grants exactly these, tests compare them with the seed.

Names only (no boto3), so infra/ can import it.
"""

STARTUP = ("sts:GetCallerIdentity", "ec2:DescribeSecurityGroups", "ec2:CreateSecurityGroup",
           "ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeKeyPairs", "ec2:CreateKeyPair")
LAUNCH = ("ec2:DescribeImages", "ec2:RunInstances", "ec2:CreateTags")
TERMINATE = ("ec2:TerminateInstances", "ec2:DescribeInstances")
# AMI snapshots (the seed's "For snapshots, add"; DescribeImages is in its base policy)
SNAPSHOT = ("ec2:CreateImage", "ec2:DeregisterImage", "ec2:DeleteSnapshot", "ec2:DescribeImages")
# The seed's "For spot instances, add" (functions/aws/spot.py): the price (Provision records it before a
# spot launch), and the warm pool's persistent requests (the keeper makes them; whoever ends a spot
# pool's instance cancels its request first, or EC2 launches a replacement).
SPOT = ("ec2:RequestSpotInstances", "ec2:CancelSpotInstanceRequests", "ec2:DescribeSpotPriceHistory")
SPOT_PRICE = ("ec2:DescribeSpotPriceHistory",)
CANCEL_SPOT = ("ec2:CancelSpotInstanceRequests",)
# Beyond the seed's policy (README "IAM", the warm pool's one addition): a persistent request that no
# pool instance accounts for relaunches for ever, and only DescribeSpotInstanceRequests lists them.
OPEN_SPOT_REQUESTS = ("ec2:DescribeSpotInstanceRequests",)

# function (workflow task name, or "Api", "AgentApi", "Sweeper", "Startup", "PoolKeeper") -> EC2/STS
# actions it may call
EC2_ACTIONS = {
    # the spot price is recorded before a spot launch; a claimed pool instance is tagged with its run
    # (CreateTags on an existing instance: TAGS_ON_EXISTING)
    "Provision": STARTUP + LAUNCH + SPOT_PRICE,
    "CheckRegistration": ("ec2:DescribeInstances",),  # the registered instance's public IP
    "StartRun": (),
    "DispatchRun": (),
    "KeepInstance": (),
    "Finalize": TERMINATE + CANCEL_SPOT,  # a claimed spot pool instance: its request cancelled first
    "Cleanup": TERMINATE + CANCEL_SPOT,
    "Sweeper": TERMINATE + CANCEL_SPOT + OPEN_SPOT_REQUESTS + ("ec2:CreateTags",),  # also retires idle pool instances (functions/lifecycle/pool_keeper.retire)
    # functions/lifecycle/pool_keeper.py: startup() and the AMI for its launches, on-demand (RunInstances) or a
    # persistent spot request, whose instances it finds (DescribeInstances) and tags; retire cancels,
    # terminates; a pool's price per instance is looked up once (the spot price for a spot pool)
    "PoolKeeper": (STARTUP + LAUNCH + ("ec2:RequestSpotInstances", "ec2:CancelSpotInstanceRequests") + TERMINATE
                   + SPOT_PRICE),
    # the deploy-time startup() for the stack's own region; it tags the group and key pair at creation,
    # which EC2 authorizes as ec2:CreateTags (without it, the deploy-time startup always failed)
    "Startup": STARTUP + ("ec2:CreateTags",),
    # the snapshot routes; CreateImage tags image and snapshots on create, which IAM checks as ec2:CreateTags
    "Api": SNAPSHOT + ("ec2:CreateTags",),
    "AgentApi": (),
}

# Not EC2 (so not in EC2_ACTIONS, which tests compare with the seed's policy): the Price List API
# (functions/aws/prices.py). Provision looks up the on-demand price the run pays before its launch; the
# pool keeper a pool's, once (`repl pool list` shows what the pool costs).
PRICE_LIST_ACTIONS = {"Provision": ("pricing:GetProducts",), "PoolKeeper": ("pricing:GetProducts",)}

# Canonical's account: Ubuntu's images (functions/aws/amis.py looks them up; RunInstances may launch
# only these and the account's own snapshots).
CANONICAL = "099720109477"
# The creates that tag what they make (TagSpecifications), which IAM authorizes as ec2:CreateTags
# (RequestSpotInstances tags the request only: its instances come untagged, see TAGS_ON_EXISTING).
TAGGED_CREATES = ("ec2:RunInstances", "ec2:CreateSecurityGroup", "ec2:CreateKeyPair", "ec2:CreateImage",
                  "ec2:RequestSpotInstances")
# Destructive actions: granted only on resources tagged with the deployment's control id (a pool's
# spot request carries the pool instance's tags from its creation).
DESTRUCTIVE = ("ec2:TerminateInstances", "ec2:DeregisterImage", "ec2:DeleteSnapshot", "ec2:CancelSpotInstanceRequests")
# ec2:CreateTags on an instance that exists (functions/aws/instances.tag), not on create: function ->
# (the tag keys it may write, whose instances). "ours": tagged with this deployment's control id, as
# DESTRUCTIVE (Provision marks the pool instance it claimed with its run). "untagged": the keeper tags
# the instance a persistent spot request launched, which EC2 launches with no tag at all
# (naming.pool_instance_tags, Name included); or ours, when a retry tags it again.
# The sweeper too: a request it cancels may have launched an untagged replacement, which it tags as ours
# first, since TerminateInstances is granted on our tagged instances only.
POOL_INSTANCE_TAG_KEYS = ("skyrepl:managed", "skyrepl:control-id", "skyrepl:pool", "skyrepl:instance-key",
                          "skyrepl:deadline", "Name")
TAGS_ON_EXISTING = {
    "Provision": (("skyrepl:run-id", "skyrepl:deadline"), "ours"),
    "PoolKeeper": (POOL_INSTANCE_TAG_KEYS, "untagged"),
    "Sweeper": (POOL_INSTANCE_TAG_KEYS, "untagged"),
}

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
