"""RunFiles: the S3 bucket of what runs carry in and out (synced working directories, artifacts),
and the one way a function gets at it: exactly the actions it calls, on exactly one prefix."""
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from functions.aws.permissions import ARTIFACT_PREFIX, LOG_PREFIX, WORKDIR_PREFIX
from infra import settings
from infra.nag import acknowledge_wildcard, default_policy

# What a prefix's keys are made of, at run time: why a grant reaches every key under it.
_KEYS = {WORKDIR_PREFIX: "per owner and content hash", ARTIFACT_PREFIX: "per run and path",
         LOG_PREFIX: "per run and batch"}


class RunFiles(Construct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        # Log delivery allowed by a bucket policy, not by the LogDeliveryWrite ACL: the log bucket keeps
        # ACLs off (ObjectOwnership BucketOwnerEnforced), as AWS recommends.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        # Who fetched or put which object: presigned URLs are bearer credentials handed to instances and
        # users, and S3's server access log is the one record of their use (CloudTrail data events are off).
        self.access_logs = s3.Bucket(
            self, "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,  # log delivery writes only to SSE-S3 buckets
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(settings.ACCESS_LOG_EXPIRY_DAYS))],
            removal_policy=RemovalPolicy.RETAIN,  # never empty while the bucket it logs is there
        )
        # Not versioned: objects are written once under keys made per owner, run or content, nothing may
        # delete one (no function holds s3:DeleteObject), and each prefix expires on purpose; versions
        # would keep users' trees and outputs past the expiry they are promised, and guard nothing.
        self.bucket = s3.Bucket(
            self, "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            lifecycle_rules=[
                # archives are a cache of the users' trees: a run needs its own only until it starts
                s3.LifecycleRule(prefix=WORKDIR_PREFIX, expiration=Duration.days(settings.WORKDIR_EXPIRY_DAYS)),
                # a run's outputs: kept as long as its logs are
                s3.LifecycleRule(prefix=ARTIFACT_PREFIX, expiration=Duration.days(settings.ARTIFACT_EXPIRY_DAYS)),
                # bulk output: kept as long as the rest of the run's logs (the Logs table's TTL)
                s3.LifecycleRule(prefix=LOG_PREFIX, expiration=Duration.days(settings.LOGS_TABLE_TTL_DAYS)),
            ],
            removal_policy=RemovalPolicy.RETAIN,  # a non-empty bucket cannot be deleted with the stack
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="run-files/",
        )

    def use(self, fn, prefix: str, *actions: str) -> None:
        """Hand fn the bucket: its env var and exactly these object actions, under prefix only."""
        fn.add_environment("RUN_FILES_BUCKET", self.bucket.bucket_name)
        objects = self.bucket.arn_for_objects(prefix + "*")
        fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[objects]))
        acknowledge_wildcard(default_policy(fn), objects, f"the objects under {prefix} and no others: their keys "
                             f"are made at run time, {_KEYS[prefix]}")

    def list_under(self, fn, prefix: str) -> None:
        """Let fn list the keys under prefix (ListObjectsV2 is a bucket action, scoped by s3:prefix)."""
        fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn],
                                                  conditions={"StringLike": {"s3:prefix": prefix + "*"}}))
