"""RunFiles: the S3 bucket of what runs carry in and out (synced working directories, artifacts),
and the one way a function gets at it: exactly the actions it calls, on exactly one prefix."""
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from functions.aws.permissions import ARTIFACT_PREFIX, LOG_PREFIX, WORKDIR_PREFIX
from infra import settings


class RunFiles(Construct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
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
        )

    def use(self, fn, prefix: str, *actions: str) -> None:
        """Hand fn the bucket: its env var and exactly these object actions, under prefix only."""
        fn.add_environment("RUN_FILES_BUCKET", self.bucket.bucket_name)
        fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions),
                                                  resources=[self.bucket.arn_for_objects(prefix + "*")]))

    def list_under(self, fn, prefix: str) -> None:
        """Let fn list the keys under prefix (ListObjectsV2 is a bucket action, scoped by s3:prefix)."""
        fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn],
                                                  conditions={"StringLike": {"s3:prefix": prefix + "*"}}))
