"""moto's DynamoDB, read and written from two threads at once, as the embedded stack does."""
import sys
import threading
import time

import boto3
import pytest
from moto import mock_aws

from local import dynamo_lock


@pytest.fixture
def table():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a race shows within a second
    with mock_aws():
        dynamo_lock.install()
        table = boto3.resource("dynamodb", region_name="us-east-1").create_table(
            TableName="race", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        table.put_item(Item={"k": "a", **{f"f{i}": "x" for i in range(200)}})
        yield table
        dynamo_lock.uninstall()
    sys.setswitchinterval(interval)


def test_a_read_never_sees_an_item_change_under_it(table):
    # Without the lock this fails in a few reads: "dictionary changed size during iteration".
    stop, reads = time.monotonic() + 1.5, 0

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
        while time.monotonic() < stop:
            assert table.get_item(Key={"k": "a"}, ConsistentRead=True)["Item"]["f0"] == "x"
            reads += 1
    finally:
        thread.join()
    assert reads > 0
