"""Bulk output: the agent asks where to PUT a chunk, PUTs it to S3, then announces it; followers get a
presigned GET of it in their page, in seq order among the inline batches. Bytes never pass through
the API (DynamoDB keeps a pointer per chunk)."""
import json
from urllib.parse import urlsplit

import pytest

from functions.core.records import LogBatch, LogChunk
from functions.store import logs
from tests.functions import api_helpers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share


def test_an_upload_request_answers_a_presigned_put_of_that_batchs_key_and_stores_nothing(plane):
    agent = plane.agent()
    status, answer = agent.post("/v1/agent/logs", {"run_id": agent.run_id, "seq": 3, "upload": {"bytes": 1000}})
    url = urlsplit(answer["upload_url"])
    assert status == 200 and url.path.endswith(f"/logs/{agent.run_id}/3.json.gz") and "Signature" in url.query
    assert logs.read(agent.run_id, 0) == ([], 0)


def test_a_chunk_is_stored_as_a_pointer_and_followers_get_a_get_url_in_order(plane):
    agent = plane.agent()
    agent.logs(1, [{"stream": "stdout", "data": "inline first\n"}])
    agent.post("/v1/agent/logs", {"run_id": agent.run_id, "seq": 2, "chunk": {"bytes": 900, "raw_bytes": 9000}})
    agent.logs(3, [{"stream": "stderr", "data": "inline last\n"}])
    assert logs.read(agent.run_id, 0)[0][1] == LogBatch(agent.run_id, 2, chunk=LogChunk(bytes=900, raw_bytes=9000))
    status, page = plane.call("GET", f"/v1/runs/{agent.run_id}/logs?after=0")
    assert status == 200 and [e["seq"] for e in page["entries"]] == [1, 2, 3] and page["next"] == 3
    chunk = page["entries"][1]["chunk"]
    assert urlsplit(chunk["url"]).path.endswith(f"/logs/{agent.run_id}/2.json.gz")
    assert (chunk["bytes"], chunk["raw_bytes"]) == (900, 9000)


def test_a_resent_chunk_announcement_is_stored_once(plane):
    agent = plane.agent()
    body = {"run_id": agent.run_id, "seq": 1, "chunk": {"bytes": 10, "raw_bytes": 100}}
    assert agent.post("/v1/agent/logs", body)[0] == agent.post("/v1/agent/logs", body)[0] == 200
    assert len(logs.read(agent.run_id, 0)[0]) == 1


@pytest.mark.parametrize("body, field", [
    ({"upload": {"bytes": 0}}, "upload"), ({"upload": {}}, "upload"), ({"upload": {"bytes": 2 ** 30}}, "upload"),
    ({"chunk": {"bytes": 10}}, "chunk"), ({"chunk": {"bytes": True, "raw_bytes": 10}}, "chunk"),
])
def test_bad_chunk_requests_are_refused_naming_the_field(plane, body, field):
    agent = plane.agent()
    status, answer = agent.post("/v1/agent/logs", {"run_id": agent.run_id, "seq": 1, **body})
    assert (status, answer["error"]["field"]) == (400, field) and answer["error"]["message"].startswith(field)
    assert logs.read(agent.run_id, 0) == ([], 0)


def test_a_follower_reading_makes_the_agent_ship_sooner(plane):
    agent = plane.agent()
    assert agent.logs(1, [{"stream": "stdout", "data": "x"}])[1]["attached"] is False
    plane.call("GET", f"/v1/runs/{agent.run_id}/logs?after=0")
    assert agent.logs(2, [{"stream": "stdout", "data": "y"}])[1]["attached"] is True


def test_a_follower_with_nothing_new_is_told_what_to_wait_on_and_when_to_read_again(plane):
    agent = plane.agent()
    res = plane.respond("GET", f"/v1/runs/{agent.run_id}/logs?after=0&status=pending")
    headers = api_helpers.response_headers(res)
    assert headers["x-skyrepl-wait"] == f"run:{agent.run_id}" and json.loads(res["body"])["poll_after_ms"] == 4000
    agent.logs(1, [{"stream": "stdout", "data": "news"}])
    res = plane.respond("GET", f"/v1/runs/{agent.run_id}/logs?after=0&status=pending")
    assert "x-skyrepl-wait" not in api_helpers.response_headers(res)
