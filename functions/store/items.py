"""DynamoDB items to plain Python: boto3's resource layer returns every number as Decimal."""
from decimal import Decimal


def plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def update_expression(fields: dict) -> dict:
    """SET every field (None values are REMOVEd): kwargs for Table.update_item."""
    names, values, sets, removes = {}, {}, [], []
    for i, (name, value) in enumerate(fields.items()):
        names[f"#f{i}"] = name
        if value is None:
            removes.append(f"#f{i}")
        else:
            values[f":v{i}"] = Decimal(str(value)) if isinstance(value, float) else value  # boto3 refuses floats
            sets.append(f"#f{i} = :v{i}")
    expr = (" SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
    kwargs = {"UpdateExpression": expr.strip(), "ExpressionAttributeNames": names}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    return kwargs
