"""DynamoDB request helpers the store modules share: paging, conditional writes, update expressions."""
from botocore.exceptions import ClientError

from functions.store.codec import encode_value


def all_pages(read, **kwargs) -> list:
    """Every item of a paginated query or scan (`read` is Table.query or Table.scan)."""
    items = []
    while True:
        page = read(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def condition_held(write) -> bool:
    """Run a conditional write; False when its condition failed (nothing was written)."""
    try:
        write()
        return True
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


def update_expression(fields: dict) -> dict:
    """SET every field (None values are REMOVEd): kwargs for Table.update_item."""
    names, values, sets, removes = {}, {}, [], []
    for i, (name, value) in enumerate(fields.items()):
        names[f"#f{i}"] = name
        if value is None:
            removes.append(f"#f{i}")
        else:
            values[f":v{i}"] = encode_value(value)
            sets.append(f"#f{i} = :v{i}")
    expr = (" SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
    kwargs = {"UpdateExpression": expr.strip(), "ExpressionAttributeNames": names}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    return kwargs
