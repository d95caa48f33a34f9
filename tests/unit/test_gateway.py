"""The embedded API Gateway: local-token auth on user routes, 502 on a crash, one request at a time."""
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from local.gateway import LOCAL_IDENTITY, Gateway

TOKEN = "local-secret"


class SharedEventHandler:
    """Mimics Powertools: the current event lives in state shared by every resolver in the process."""

    current = None
    running = 0
    most_at_once = 0

    def __init__(self, name: str, crash: bool = False):
        self.name, self.crash = name, crash

    def __call__(self, event, _context):
        if self.crash:
            raise RuntimeError("boom")
        cls = SharedEventHandler
        cls.running += 1
        cls.most_at_once = max(cls.most_at_once, cls.running)
        cls.current = event
        time.sleep(0.02)
        seen, cls.running = cls.current, cls.running - 1
        body = {"api": self.name, "body": seen["body"], "user": seen["requestContext"]["identity"]["userArn"]}
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


@pytest.fixture(scope="module")
def server():
    gw = Gateway(SharedEventHandler("api"), SharedEventHandler("agent"), TOKEN, port=0)
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture
def gateway(server):
    SharedEventHandler.current, SharedEventHandler.running, SharedEventHandler.most_at_once = None, 0, 0
    return server


def post(gw: Gateway, path: str, body: str, token: str | None = TOKEN) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(gw.url + path, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_concurrent_requests_to_both_apis_each_get_their_own_event(gateway):
    paths = ["/v1/runs" if i % 2 else "/v1/agent/logs" for i in range(12)]
    answers = [None] * len(paths)

    def call(i):
        answers[i] = post(gateway, paths[i], f"request-{i}")

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(paths))]
    [t.start() for t in threads]
    [t.join(10) for t in threads]
    assert [a[1]["body"] for a in answers] == [f"request-{i}" for i in range(len(paths))]
    assert [a[1]["api"] for a in answers] == ["api" if i % 2 else "agent" for i in range(len(paths))]
    assert SharedEventHandler.most_at_once == 1


def test_user_routes_act_as_the_local_identity_agent_routes_as_nobody(gateway):
    assert post(gateway, "/v1/runs", "x") == (200, {"api": "api", "body": "x", "user": LOCAL_IDENTITY})
    assert post(gateway, "/v1/agent/status", "y", token=None) == (200, {"api": "agent", "body": "y", "user": None})


@pytest.mark.parametrize("token", [None, "wrong"])
def test_user_routes_without_the_local_token_answer_401_json(gateway, token):
    status, body = post(gateway, "/v1/runs", "x", token=token)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert body["error"]["message"].startswith("authorization: ")
    assert SharedEventHandler.current is None  # the handler never ran


def test_a_handler_that_raises_answers_502():
    gw = Gateway(SharedEventHandler("api", crash=True), SharedEventHandler("agent", crash=True), TOKEN, port=0)
    gw.start()
    try:
        assert post(gw, "/v1/runs", "x") == (502, {"message": "Internal server error"})
        assert post(gw, "/v1/agent/logs", "x", token=None)[0] == 502
    finally:
        gw.stop()
