"""moto's DynamoDB, read and written from two threads at once, as the embedded stack does: the patch
in local/moto_internals.py serializes its requests (installed for every test by tests/conftest.py)."""
import sys
import threading
import time

import boto3
import pytest
from moto import mock_aws

from local import moto_internals


@pytest.fixture(params=["patched", "unpatched"])
def table(request):
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a race shows within a second
    if request.param == "unpatched":
        moto_internals.uninstall()
    try:
        with mock_aws():
            table = boto3.resource("dynamodb", region_name="us-east-1").create_table(
                TableName="race", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
            table.put_item(Item={"k": "a", **{f"f{i}": "x" for i in range(200)}})
            yield request.param, table
    finally:
        moto_internals.install()
        sys.setswitchinterval(interval)


def race(table, seconds: float) -> list:
    """Read while another thread writes; the errors the reads raised."""
    stop, errors = time.monotonic() + seconds, []

    def writer():
        i = 0
        while time.monotonic() < stop:
            i += 1
            table.update_item(Key={"k": "a"}, UpdateExpression=f"SET n{i % 50} = :v",
                              ExpressionAttributeValues={":v": i})
            table.update_item(Key={"k": "a"}, UpdateExpression=f"REMOVE n{(i + 25) % 50}")

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while time.monotonic() < stop and not errors:
            try:
                assert table.get_item(Key={"k": "a"}, ConsistentRead=True)["Item"]["f0"] == "x"
            except Exception as err:  # noqa: BLE001 - "dictionary changed size during iteration", or its 500
                errors.append(err)
    finally:
        thread.join()
    return errors


def test_a_read_never_sees_an_item_change_under_it_with_the_patch_and_does_without(table):
    kind, table = table
    errors = race(table, 1.5 if kind == "patched" else 5.0)
    assert (errors == []) if kind == "patched" else errors, errors
