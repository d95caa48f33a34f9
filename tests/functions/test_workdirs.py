"""POST /v1/workdirs and a run's workdir: content-addressed per owner, moved by presigned URLs only."""
import hashlib
import urllib.parse

import boto3

from functions.aws import workdirs
from functions.store import instances, runs
from functions.workflow import dispatch_run
from local import deploy
from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER, OWNER

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

ARCHIVE = b"not really a tar.gz, but bytes with a hash"
SHA = hashlib.sha256(ARCHIVE).hexdigest()


def put(owner: str = OWNER) -> None:  # what the CLI's PUT to the presigned URL leaves in S3
    boto3.client("s3").put_object(Bucket=deploy.RUN_FILES_BUCKET, Key=workdirs.key(owner, SHA), Body=ARCHIVE)


def test_a_new_archive_gets_a_presigned_put_and_a_known_one_none(plane):
    status, answer = plane.call("POST", "/v1/workdirs", {"sha256": SHA, "size": len(ARCHIVE)})
    url = urllib.parse.urlsplit(answer["upload_url"])
    assert status == 200 and answer["sha256"] == SHA and "X-Amz-Signature" in url.query
    assert url.path.endswith(f"{SHA}.tar.gz") and OWNER not in answer["upload_url"]
    put()
    assert plane.call("POST", "/v1/workdirs", {"sha256": SHA, "size": len(ARCHIVE)})[1]["upload_url"] is None
    # another owner's identical tree is theirs to upload: nothing is learnt from another's archives
    assert plane.call("POST", "/v1/workdirs", {"sha256": SHA, "size": 9}, owner=OTHER)[1]["upload_url"]


def test_bad_offers_answer_400_naming_the_field(plane):
    for body, field in (({"sha256": "abc", "size": 1}, "sha256"), ({"sha256": SHA, "size": 0}, "size"),
                        ({"sha256": SHA, "size": 200 * 1024 * 1024}, "size"), ({"sha256": SHA.upper(), "size": 1},
                                                                               "sha256")):
        status, answer = plane.call("POST", "/v1/workdirs", body)
        assert (status, answer["error"]["field"]) == (400, field), body


def test_a_run_may_name_only_an_archive_its_owner_uploaded(plane):
    sha = hashlib.sha256(b"another tree").hexdigest()  # S3 outlives each test's tables in this module
    body = {"spec": "t3.micro", "command": "true", "workdir": {"sha256": sha}}
    status, answer = plane.call("POST", "/v1/runs", body)
    assert (status, answer["error"]["field"]) == (400, "workdir") and plane.stored_runs() == []
    s3 = boto3.client("s3")
    s3.put_object(Bucket=deploy.RUN_FILES_BUCKET, Key=workdirs.key(OTHER, sha), Body=b"another tree")
    assert plane.call("POST", "/v1/runs", body)[0] == 400  # another owner's archive is not this one's
    s3.put_object(Bucket=deploy.RUN_FILES_BUCKET, Key=workdirs.key(OWNER, sha), Body=b"another tree")
    assert plane.call("POST", "/v1/runs", body)[0] == 201


def test_start_run_carries_a_presigned_get_of_the_runs_archive(plane):
    put()
    agent = plane.agent(workdir={"sha256": SHA})
    runs.update(agent.run_id, status="booting")
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    [event] = instances.get(agent.instance_key).events
    archive = event.data["archive"]
    assert archive["sha256"] == SHA and "X-Amz-Signature" in archive["url"]
    assert urllib.parse.urlsplit(archive["url"]).path.endswith(workdirs.key(OWNER, SHA))
