"""The embedded "cdk deploy": the same tables and state machine, created in the emulated account."""
import io
import json
import zipfile

from functions.aws import clients
from functions.store.schema import ALL_TABLES, Table
from functions.workflow.definition import TASK_HANDLERS, definition_json, substitute

REGION = "us-east-1"
PREFIX = "skyrepl-local-"
RUN_FILES_BUCKET = PREFIX + "run-files"


def table_name(table: Table) -> str:
    return PREFIX + table.logical_id.lower()


def create_table(table: Table, region: str = REGION) -> str:
    attrs = {table.partition_key: "S"}
    keys = [{"AttributeName": table.partition_key, "KeyType": "HASH"}]
    if table.sort_key:
        attrs[table.sort_key] = table.sort_key_type
        keys.append({"AttributeName": table.sort_key, "KeyType": "RANGE"})
    gsis = []
    for index in table.indexes:
        attrs.update({index.partition_key: "S", index.sort_key: "S"})
        gsis.append({"IndexName": index.name, "Projection": {"ProjectionType": "ALL"},
                     "KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"},
                                   {"AttributeName": index.sort_key, "KeyType": "RANGE"}]})
    kwargs = {"GlobalSecondaryIndexes": gsis} if gsis else {}
    clients.client("dynamodb", region).create_table(
        TableName=table_name(table), BillingMode="PAY_PER_REQUEST", KeySchema=keys,
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": t} for k, t in attrs.items()], **kwargs)
    return table_name(table)


def table_env() -> dict:
    return {table.env_var: table_name(table) for table in ALL_TABLES}


def deploy(region: str = REGION) -> dict:
    """Create every table, a function per workflow task, and the state machine. Returns env vars."""
    for table in ALL_TABLES:
        create_table(table, region)
    iam = clients.client("iam", region)
    role = iam.create_role(RoleName=PREFIX + "role", AssumeRolePolicyDocument=json.dumps({}))["Role"]["Arn"]
    arns = {task: _function(task, role, region, handler) for task, handler in TASK_HANDLERS.items()}
    _function("Sweeper", role, region, "functions.sweeper.handler.handler")  # `repl orphan scan` invokes it
    _function("PoolKeeper", role, region, "functions.pools.handler.handler")  # the API and Provision invoke it
    definition = substitute(definition_json(), arns)
    machine = clients.stepfunctions(region).create_state_machine(
        name=PREFIX + "launch-run", definition=definition, roleArn=role)["stateMachineArn"]
    clients.s3(region).create_bucket(Bucket=RUN_FILES_BUCKET)
    return {**table_env(), "STATE_MACHINE_ARN": machine, "SWEEPER_FUNCTION_NAME": "Sweeper",
            "POOL_KEEPER_FUNCTION_NAME": "PoolKeeper",
            "RUN_FILES_BUCKET": RUN_FILES_BUCKET}


def _function(task: str, role: str, region: str, handler: str) -> str:
    # The code is never run from the zip: local/dispatch.py runs the handler in-process.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("placeholder.py", "")
    return clients.lambda_(region).create_function(
        FunctionName=task, Runtime="python3.12", Role=role, Handler=handler,
        Code={"ZipFile": buf.getvalue()})["FunctionArn"]
