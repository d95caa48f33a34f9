"""Run artifacts through the API and the agent API: the agent PUTs each file by its own presigned
URL, the owner lists them and GETs them back by presigned URL; nobody else sees them."""
import hashlib
import json
import urllib.parse

import requests  # moto intercepts it: the presigned URLs are really used

from functions.store import instances, runs
from functions.workflow import dispatch_run
from tests.functions import api_helpers
from tests.functions.api_helpers import OTHER

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share

FILES = {"out/model.bin": bytes(range(256)) * 40, "metrics.json": b'{"loss": 0.1}\n', "empty.txt": b""}


def offer(agent, files: dict) -> tuple[int, dict]:
    body = {"run_id": agent.run_id, "files": [{"path": p, "size": len(b)} for p, b in files.items()]}
    status, text = agent.call("POST", "/v1/agent/artifacts", body)
    return status, json.loads(text)


def upload(agent, files: dict) -> None:
    status, answer = offer(agent, files)
    assert status == 200, answer
    assert [u["path"] for u in answer["uploads"]] == list(files)
    for item in answer["uploads"]:
        data = files[item["path"]]
        put = requests.put(item["url"], data=data, headers={"Content-Type": "application/octet-stream"})
        assert put.status_code == 200, put.text


def test_a_run_asks_for_globs_and_start_run_hands_them_to_the_agent(plane):
    agent = plane.agent(artifacts=["out/**", "*.json", "out/**"])
    assert runs.get(agent.run_id).artifacts == ("out/**", "*.json")  # each once, in order
    assert plane.call("GET", f"/v1/runs/{agent.run_id}")[1]["run"]["artifacts"] == ["out/**", "*.json"]
    runs.update(agent.run_id, status="booting")
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    [event] = instances.get(agent.instance_key).events
    assert event.data["artifacts"] == ["out/**", "*.json"]


def test_bad_globs_answer_400_naming_artifacts_and_create_nothing(plane):
    for globs in ("out/*", ["/etc/passwd"], ["../up"], ["a/../../b"], [""], ["a\nb"], ["x"] * 21, [3],
                  ["dir\\file"]):
        status, answer = plane.call("POST", "/v1/runs", {"spec": "t3.micro", "command": "true", "artifacts": globs})
        assert (status, answer["error"]["field"]) == (400, "artifacts"), globs
    assert plane.stored_runs() == []


def test_uploaded_artifacts_are_listed_with_size_and_md5_and_come_back_byte_identical(plane):
    agent = plane.agent(artifacts=["**"])
    assert plane.call("GET", f"/v1/runs/{agent.run_id}/artifacts")[1] == {"run_id": agent.run_id, "artifacts": []}
    upload(agent, FILES)
    status, answer = plane.call("GET", f"/v1/runs/{agent.run_id}/artifacts")
    assert status == 200 and [a["path"] for a in answer["artifacts"]] == sorted(FILES)
    for item in answer["artifacts"]:
        data = FILES[item["path"]]
        assert (item["size"], item["md5"]) == (len(data), hashlib.md5(data).hexdigest())
        assert item["modified_at"].endswith("Z")
        assert requests.get(item["url"]).content == data


def test_another_owners_run_has_no_artifacts_to_list(plane):
    agent = plane.agent(artifacts=["**"])
    upload(agent, {"secret.txt": b"mine"})
    status, answer = plane.call("GET", f"/v1/runs/{agent.run_id}/artifacts", owner=OTHER)
    assert (status, answer["error"]["code"]) == (404, "not_found")


def test_each_presigned_put_signs_the_offered_size_and_names_only_the_run(plane):
    agent = plane.agent(artifacts=["**"])
    status, answer = offer(agent, {"out/a.txt": b"four"})
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(answer["uploads"][0]["url"]).query)
    # S3 refuses a PUT of another length (moto does not check signatures: the URL is checked instead)
    assert status == 200 and query["X-Amz-SignedHeaders"] == ["content-length;host"]
    assert urllib.parse.urlsplit(answer["uploads"][0]["url"]).path.endswith(f"/artifacts/{agent.run_id}/out/a.txt")


def test_the_agent_may_offer_files_only_for_a_run_that_asked_for_artifacts(plane):
    agent = plane.agent()
    status, answer = offer(agent, {"a.txt": b"x"})
    assert (status, answer["error"]["field"]) == (403, "artifacts")


def test_bad_offers_answer_400_naming_files(plane):
    agent = plane.agent(artifacts=["**"])
    bad = ([], [{"path": "../x", "size": 1}], [{"path": "/abs", "size": 1}], [{"path": "a", "size": -1}],
           [{"path": "a", "size": True}], [{"path": "a", "size": 6 * 1024 ** 3}], [{"path": 7, "size": 1}],
           [{"path": "a", "size": 1}, {"path": "a", "size": 2}], [{"path": f"f{i}", "size": 0} for i in range(1001)],
           "files")
    for files in bad:
        status, text = agent.call("POST", "/v1/agent/artifacts", {"run_id": agent.run_id, "files": files})
        assert (status, json.loads(text)["error"]["field"]) == (400, "files"), files


def test_an_agent_offers_only_for_its_own_run(plane):
    mine, theirs = plane.agent(artifacts=["**"]), plane.agent(artifacts=["**"])
    status, text = mine.call("POST", "/v1/agent/artifacts", {"run_id": theirs.run_id, "files": [
        {"path": "a", "size": 1}]})
    assert status == 403 and json.loads(text)["error"]["field"] == "run_id"
