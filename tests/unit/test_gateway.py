"""The embedded API Gateway: local-token auth on user routes, 502 on a crash, and long polls held until
what they wait on changes (the handlers here are in-process stand-ins; tests/local runs real workers)."""
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from local.changes import Changes
from local.gateway import LOCAL_IDENTITY, Gateway

TOKEN = "local-secret"


def echo(name: str, headers: dict | None = None):
    def invoke(event):
        iam = event["requestContext"].get("authorizer", {}).get("iam", {})
        body = {"api": name, "body": event["body"], "user": iam.get("userArn")}
        return {"statusCode": 200, "headers": {"Content-Type": "application/json", **(headers or {})},
                "body": json.dumps(body)}
    return invoke


def crash(_event):
    raise RuntimeError("boom")


@pytest.fixture
def start():
    started = []

    def make(api, agent, changes=None):
        gw = Gateway(api, agent, TOKEN, port=0, changes=changes)
        gw.start()
        started.append(gw)
        return gw
    yield make
    for gw in started:
        gw.stop()


def call(gw: Gateway, path: str, body: str = "", token: str | None = TOKEN, method: str = "POST") -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(gw.url + path, data=body.encode() if method == "POST" else None, headers=headers,
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_user_routes_act_as_the_local_identity_agent_routes_as_nobody(start):
    gw = start(echo("api"), echo("agent"))
    assert call(gw, "/v1/runs", "x") == (200, {"api": "api", "body": "x", "user": LOCAL_IDENTITY})
    assert call(gw, "/v1/agent/status", "y", token=None) == (200, {"api": "agent", "body": "y", "user": None})


@pytest.mark.parametrize("token", [None, "wrong"])
def test_user_routes_without_the_local_token_answer_401_json(start, token):
    ran = []
    gw = start(lambda e: ran.append(e), echo("agent"))
    status, body = call(gw, "/v1/runs", "x", token=token)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert body["error"]["message"].startswith("authorization: ") and ran == []  # the handler never ran


def test_a_handler_that_raises_answers_502(start):
    gw = start(crash, crash)
    assert call(gw, "/v1/runs", "x") == (502, {"message": "Internal server error"})
    assert call(gw, "/v1/agent/logs", "x", token=None)[0] == 502


def test_an_answer_with_nothing_new_is_held_until_what_it_waits_on_changes(start):
    changes, asked = Changes(), []

    def logs(event):  # nothing new until the run changes, then news
        asked.append(time.monotonic())
        news = len(asked) > 1
        headers = {} if news else {"X-Skyrepl-Wait": "run:r1"}
        return {"statusCode": 200, "headers": headers, "body": json.dumps({"news": news})}

    gw = start(logs, echo("agent", {"X-Skyrepl-Changed": "run:r1"}), changes)
    threading.Timer(0.3, lambda: call(gw, "/v1/agent/status", "done", token=None)).start()
    began = time.monotonic()
    assert call(gw, "/v1/runs/r1/logs?wait=5", method="GET") == (200, {"news": True})
    assert 0.25 < time.monotonic() - began < 2.0 and len(asked) == 2  # woken by the change, asked once more


def test_a_hold_ends_at_its_wait_and_without_wait_there_is_none(start):
    idle = echo("api", {"X-Skyrepl-Wait": "run:r1"})
    gw = start(idle, echo("agent"))
    began = time.monotonic()
    assert call(gw, "/v1/runs/r1/logs?wait=0.3", method="GET")[0] == 200
    assert 0.25 < time.monotonic() - began < 2.0
    began = time.monotonic()
    call(gw, "/v1/runs/r1/logs", method="GET")
    assert time.monotonic() - began < 0.25


def test_the_hint_headers_do_not_reach_the_client(start):
    gw = start(echo("api", {"X-Skyrepl-Wait": "run:r1", "X-Skyrepl-Changed": "run:r1"}), echo("agent"))
    req = urllib.request.Request(gw.url + "/v1/runs", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as res:
        assert "X-Skyrepl-Wait" not in res.headers and "X-Skyrepl-Changed" not in res.headers


def test_a_change_between_the_question_and_the_wait_is_not_missed():
    changes = Changes()
    since = changes.now()
    changes.bump("run:r1")  # after the question was asked, before the waiter waits
    assert changes.wait("run:r1", since, 0.01) is True
    assert changes.wait("run:r2", since, 0.01) is False
