"""The run-end webhook: a real receiver on 127.0.0.1 gets the signed POST; a hanging one costs at most the timeout."""
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

from functions.aws import clients, run_end, webhook
from functions.core.clock import now_ms
from functions.settings import WEBHOOK_SECRET_PARAMETER
from functions.store import runs
from tests.functions.test_sweeper import cloud  # noqa: F401 - the fixture: moto with every table
from tests.records import make_run


@pytest.fixture
def receiver():
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            got.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", got
    server.shutdown()
    server.server_close()


def configure(monkeypatch, url: str | None) -> None:
    if url:
        monkeypatch.setenv("WEBHOOK_URL", url)
    else:
        monkeypatch.delenv("WEBHOOK_URL", raising=False)
    clients.reset()  # settings too


def verify(secret: str, headers: dict, body: bytes, max_age_s: int = 300) -> bool:
    """What a receiver does (README "Metrics and alarms")."""
    timestamp = headers["X-Skyrepl-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Skyrepl-Signature"]) and abs(time.time() - int(timestamp)) < max_age_s


def test_a_run_end_is_posted_signed_with_the_secret_made_on_first_need(cloud, receiver, monkeypatch, capsys):
    url, got = receiver
    configure(monkeypatch, url)
    runs.create(make_run("rhook", status="running"))
    assert run_end.finish("rhook", "failed", 3, "the command exited with code 3", now_ms())
    assert not run_end.finish("rhook", "error", None, "again", now_ms())  # the first end only
    [(headers, body)] = got
    payload = json.loads(body)
    assert {k: payload[k] for k in ("run_id", "status", "reason", "exit_code")} == {
        "run_id": "rhook", "status": "failed", "reason": "the command exited with code 3", "exit_code": 3}
    assert payload["ended_at"].endswith("Z")
    secret = boto3.client("ssm").get_parameter(Name=WEBHOOK_SECRET_PARAMETER, WithDecryption=True)["Parameter"]
    assert secret["Type"] == "SecureString"
    assert verify(secret["Value"], headers, body)
    assert not verify("a wrong secret", headers, body)
    replayed_at = str(int(headers["X-Skyrepl-Timestamp"]) - 1)  # the signature covers the timestamp it was sent with
    assert not verify(secret["Value"], {**headers, "X-Skyrepl-Timestamp": replayed_at}, body)
    assert secret["Value"] not in capsys.readouterr().out


def test_a_hanging_receiver_delays_the_end_by_the_timeout_only_and_logs_no_secret(cloud, monkeypatch, caplog):
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(1)  # accepts the connection (backlog), never answers
    try:
        configure(monkeypatch, f"http://127.0.0.1:{hang.getsockname()[1]}/")
        runs.create(make_run("rhang", status="running"))
        began = time.monotonic()
        assert run_end.finish("rhang", "succeeded", 0, "", now_ms())  # the run ends all the same
        assert time.monotonic() - began < webhook.TIMEOUT_SECONDS + 1.5
    finally:
        hang.close()
    assert runs.get("rhang").status == "succeeded"
    [warning] = [r for r in caplog.records if r.getMessage() == "run-end webhook not delivered"]
    assert webhook.secret() not in str(warning.__dict__)


def test_nothing_is_sent_and_no_secret_made_without_a_url(cloud, receiver, monkeypatch):
    url, got = receiver
    configure(monkeypatch, None)
    runs.create(make_run("rnone", status="running"))
    assert run_end.finish("rnone", "succeeded", 0, "", now_ms())
    assert not webhook.notify({"run_id": "rnone"})
    assert got == []
    assert boto3.client("ssm").describe_parameters()["Parameters"] == []


def test_a_webhook_the_receiver_refused_is_sent_again_by_the_sweep_and_the_run_settles_once_delivered(
        cloud, monkeypatch):
    from functions.lifecycle import reconcile

    monkeypatch.setattr(reconcile, "START_GRACE_MS", 0)  # the record has no execution: a sweep still looks at it
    got, answers = [], [503, 204]  # down at the run's end, up at the sweep after

    class Flaky(BaseHTTPRequestHandler):
        def do_POST(self):
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(answers.pop(0))
            self.end_headers()

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        configure(monkeypatch, f"http://127.0.0.1:{server.server_port}/hook")
        runs.create(make_run("rflaky", status="running"))
        ended = now_ms()
        run_end.finish("rflaky", "succeeded", 0, "command exited with code 0", ended)
        run = runs.update("rflaky", terminated_ms=ended)  # its instance's end confirmed: only the webhook is left
        assert (run.webhook_attempts, run.webhook_due_ms) == (1, ended + run_end.WEBHOOK_RETRY_MS)
        reconcile.reconcile(run, ended + 1_000)  # not due yet: nothing sent, still unsettled
        assert len(got) == 1 and "rflaky" in {r.run_id for r in runs.unsettled()}
        reconcile.reconcile(runs.get("rflaky"), ended + run_end.WEBHOOK_RETRY_MS)
    finally:
        server.shutdown()
        server.server_close()
    assert [g["run_id"] for g in got] == ["rflaky", "rflaky"] and got[1]["status"] == "succeeded"
    assert got[1] == got[0]  # the same end, told again
    assert runs.get("rflaky").webhook_due_ms is None and "rflaky" not in {r.run_id for r in runs.unsettled()}


def test_a_receiver_down_for_good_is_given_up_after_the_last_attempt(cloud, monkeypatch, caplog):
    configure(monkeypatch, "http://127.0.0.1:9/hook")  # nothing listens there
    runs.create(make_run("rdown", status="running"))
    run_end.finish("rdown", "failed", 1, "command exited with code 1", now_ms())
    for _ in range(run_end.WEBHOOK_ATTEMPTS - 2):
        assert not run_end.webhook_delivered(runs.get("rdown"), runs.get("rdown").webhook_due_ms)
    assert run_end.webhook_delivered(runs.get("rdown"), runs.get("rdown").webhook_due_ms)  # the last: given up
    run = runs.get("rdown")
    assert (run.webhook_attempts, run.webhook_due_ms) == (run_end.WEBHOOK_ATTEMPTS, None)
    assert [r for r in caplog.records if r.getMessage() == "run-end webhook given up"]
