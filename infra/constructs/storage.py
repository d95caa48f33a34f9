"""Storage: the DynamoDB tables of functions/store/schema.py, and the one way a function gets at one."""
from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions.store import access, schema
from infra import settings

_KEY_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Storage(Construct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.tables: dict[str, dynamodb.Table] = {t.logical_id: self._table(t) for t in schema.ALL_TABLES}

    def _table(self, spec: schema.Table) -> dynamodb.Table:
        sort_key = None
        if spec.sort_key:
            sort_key = dynamodb.Attribute(name=spec.sort_key, type=_KEY_TYPES[spec.sort_key_type])
        retain = spec.logical_id in settings.RETAINED_TABLES
        table = dynamodb.Table(
            self, spec.logical_id,
            partition_key=_string_key(spec.partition_key),
            sort_key=sort_key,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            time_to_live_attribute=spec.ttl_attribute,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        for index in spec.indexes:  # index keys are strings (owner ARN, ISO-8601 timestamps)
            table.add_global_secondary_index(index_name=index.name, partition_key=_string_key(index.partition_key),
                                             sort_key=_string_key(index.sort_key))
        return table

    def use(self, fn: lambda_.Function, function: str) -> None:
        """Hand fn the tables its code calls (functions/store/access.py): each one's env var and exactly the
        actions it calls there, on the table and on each index it queries, and nothing else."""
        actions, indexes = access.TABLE_ACTIONS.get(function, {}), access.INDEX_QUERIES.get(function, {})
        for spec in (t for t in schema.ALL_TABLES if t.logical_id in actions.keys() | indexes.keys()):
            table = self.tables[spec.logical_id]
            fn.add_environment(spec.env_var, table.table_name)
            if actions.get(spec.logical_id):
                fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions[spec.logical_id]),
                                                          resources=[table.table_arn]))
            if indexes.get(spec.logical_id):
                fn.add_to_role_policy(iam.PolicyStatement(actions=[access.QUERY], resources=[
                    f"{table.table_arn}/index/{index}" for index in indexes[spec.logical_id]]))
