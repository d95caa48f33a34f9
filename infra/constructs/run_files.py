"""Workdirs: the S3 bucket of synced working directories, and the one way a function gets at it."""
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from functions.aws.permissions import WORKDIR_PREFIX as PREFIX
from infra import settings


class Workdirs(Construct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self, "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            # archives are a cache of the users' trees: a run needs its own only until it starts
            lifecycle_rules=[s3.LifecycleRule(prefix=PREFIX, expiration=Duration.days(settings.WORKDIR_EXPIRY_DAYS))],
            removal_policy=RemovalPolicy.RETAIN,  # a non-empty bucket cannot be deleted with the stack
        )

    def use(self, fn, *actions: str) -> None:
        """Hand fn the bucket: its env var and exactly these actions, on the archives only."""
        fn.add_environment("WORKDIR_BUCKET", self.bucket.bucket_name)
        fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions),
                                                  resources=[self.bucket.arn_for_objects(PREFIX + "*")]))
