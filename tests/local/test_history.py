"""The embedded stack's history: what DynamoDB, S3 and SSM held is written down as it changes and
loaded into a fresh emulator (a restart), to the last word per key, whatever cut the journal short."""
import boto3
import pytest
from moto import mock_aws

from local.history import History

REGION = "us-east-1"


def emulator():
    """Fresh emulated services with the tables and bucket a deploy makes (the history fills them)."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(TableName="runs", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "run_id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "run_id", "AttributeType": "S"}])
    dynamodb.create_table(TableName="logs", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "run_id", "KeyType": "HASH"},
                                     {"AttributeName": "seq", "KeyType": "RANGE"}],
                          AttributeDefinitions=[{"AttributeName": "run_id", "AttributeType": "S"},
                                                {"AttributeName": "seq", "AttributeType": "N"}])
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="files")
    return dynamodb, s3, boto3.client("ssm", region_name=REGION)


def everything(dynamodb, s3, ssm) -> dict:
    scan = lambda table: sorted((i for i in dynamodb.scan(TableName=table)["Items"]), key=str)  # noqa: E731
    objects = {o["Key"]: (s3.get_object(Bucket="files", Key=o["Key"])["Body"].read(), o["LastModified"])
               for o in s3.list_objects_v2(Bucket="files").get("Contents", [])}
    parameters = {p["Name"]: (p["Value"], p["Type"]) for p in
                  ssm.get_parameters_by_path(Path="/", Recursive=True, WithDecryption=True)["Parameters"]}
    return {"runs": scan("runs"), "logs": scan("logs"), "objects": objects, "parameters": parameters}


def write_some_history(dynamodb, s3, ssm) -> None:
    dynamodb.put_item(TableName="runs", Item={"run_id": {"S": "r1"}, "status": {"S": "running"}})
    dynamodb.put_item(TableName="runs", Item={"run_id": {"S": "r2"}, "status": {"S": "pending"}})
    dynamodb.update_item(TableName="runs", Key={"run_id": {"S": "r1"}}, UpdateExpression="SET #s = :s, n = :n",
                         ExpressionAttributeNames={"#s": "status"},
                         ExpressionAttributeValues={":s": {"S": "succeeded"}, ":n": {"N": "3"}})
    dynamodb.delete_item(TableName="runs", Key={"run_id": {"S": "r2"}})
    dynamodb.batch_write_item(RequestItems={"logs": [
        {"PutRequest": {"Item": {"run_id": {"S": "r1"}, "seq": {"N": str(n)}, "data": {"S": f"line {n}\n"},
                                 "tags": {"L": [{"S": "a"}, {"M": {"x": {"N": "1"}}}]}}}} for n in range(3)]})
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "runs", "Item": {"run_id": {"S": "r3"}, "status": {"S": "running"}}}},
        {"Delete": {"TableName": "logs", "Key": {"run_id": {"S": "r1"}, "seq": {"N": "0"}}}}])
    s3.put_object(Bucket="files", Key="artifacts/r1/out dir/a.txt", Body=b"\x00binary\xff")
    s3.put_object(Bucket="files", Key="logs/r1/1.json.gz", Body=b"gone soon")
    s3.delete_object(Bucket="files", Key="logs/r1/1.json.gz")
    ssm.put_parameter(Name="/skyrepl/key", Value="PEM", Type="SecureString")
    ssm.put_parameter(Name="/skyrepl/run-env/r1", Value="{}", Type="SecureString")
    ssm.delete_parameter(Name="/skyrepl/run-env/r1")


def test_a_restart_finds_exactly_what_was_there(tmp_path):
    with mock_aws():
        clients = emulator()
        history = History(tmp_path)
        assert history.restore() == {"items": 0, "parameters": 0, "objects": 0}
        write_some_history(*clients)
        before = everything(*clients)
        history.close()
    with mock_aws():  # a new daemon: moto's memory is empty
        clients = emulator()
        assert History(tmp_path).restore() == {"items": 4, "parameters": 1, "objects": 1}
        assert everything(*clients) == before  # times of objects included
    assert before["runs"] == [{"run_id": {"S": "r1"}, "status": {"S": "succeeded"}, "n": {"N": "3"}},
                              {"run_id": {"S": "r3"}, "status": {"S": "running"}}]
    # folded at start-up: one line per live item
    assert len((tmp_path / "dynamodb.jsonl").read_text().splitlines()) == 4


def test_what_a_kill_cut_short_is_left_out_and_the_rest_kept(tmp_path):
    with mock_aws():
        clients = emulator()
        history = History(tmp_path)
        history.restore()
        write_some_history(*clients)
        history.close()
    with open(tmp_path / "dynamodb.jsonl", "a") as journal:
        journal.write('{"region":"us-east-1","table":"runs","key":{"run_id":{"S":"r9"}},"item":{"run_')
    (tmp_path / "s3" / "files" / "half.partial").write_bytes(b"half an obj")
    with mock_aws():
        dynamodb, s3, ssm = emulator()
        assert History(tmp_path).restore()["items"] == 4
        assert [o["Key"] for o in s3.list_objects_v2(Bucket="files")["Contents"]] == ["artifacts/r1/out dir/a.txt"]
        assert not (tmp_path / "s3" / "files" / "half.partial").exists()


def test_a_journal_that_grows_past_the_limit_is_folded_as_it_goes(tmp_path, monkeypatch):
    monkeypatch.setattr("local.history.COMPACT_AT_BYTES", 2_000)
    with mock_aws():
        dynamodb, _, _ = emulator()
        history = History(tmp_path)
        history.restore()
        for n in range(200):  # one item rewritten: the journal would hold 200 lines
            dynamodb.put_item(TableName="runs", Item={"run_id": {"S": "r1"}, "n": {"N": str(n)}})
        history.close()
        assert (tmp_path / "dynamodb.jsonl").stat().st_size < 4_000
    with mock_aws():
        dynamodb, _, _ = emulator()
        History(tmp_path).restore()
        assert dynamodb.get_item(TableName="runs", Key={"run_id": {"S": "r1"}})["Item"]["n"] == {"N": "199"}


@pytest.fixture(autouse=True)
def nothing_observed_after(request):
    yield
    from local import moto_internals
    moto_internals.observe()  # a failed test must not leave the next one journaled
