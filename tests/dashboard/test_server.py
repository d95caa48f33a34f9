"""The dashboard's loopback server against the CLI tests' fake control plane: what it serves, what it
passes on (signed by the CLI's own Client), and everything it refuses."""
import http.client
import io
import json
import socket
import threading

import pytest

from repl.auth import BearerAuth
from repl.cli import main
from repl.client import Client
from repl.commands import Context
from repl.config import Target
from repl.dashboard.server import HEADER, Dashboard
from repl.environment import Environment
from tests.cli.fake_plane import FakePlane, make_run, start

API = {HEADER: "1"}


@pytest.fixture
def plane():
    fake = FakePlane()
    server = start(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def dashboard(plane):
    ctx = Context(Environment(stdout=io.StringIO(), stderr=io.StringIO()))
    ctx.use(Client(Target(plane.url, BearerAuth("local-token"))))
    server = Dashboard(ctx, token="tok3n")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def call(server, method, path, headers=None, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    conn.putrequest(method, path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{server.server_port}")
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.putheader("Content-Length", "0")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_the_page_its_script_and_style_are_served_under_the_token(dashboard):
    assert dashboard.url == f"http://127.0.0.1:{dashboard.server_port}/tok3n/"
    for path, marker in (("/tok3n/", b"<script src=\"app.js\">"), ("/tok3n/app.js", b"X-Repl-Dashboard"),
                         ("/tok3n/style.css", b"pre#logs")):
        status, body = call(dashboard, "GET", path)
        assert status == 200 and marker in body, path
    assert call(dashboard, "GET", "/tok3n/", host=f"localhost:{dashboard.server_port}")[0] == 200


def test_api_gets_are_the_control_planes_answers_signed_by_the_clis_own_client(dashboard, plane):
    plane.listed = [make_run("r1", status="succeeded")]
    status, body = call(dashboard, "GET", "/tok3n/api/runs?limit=200&wait=20", API)
    assert status == 200 and [r["run_id"] for r in json.loads(body)["runs"]] == ["r1"]
    sent = plane.calls("GET", "/v1/runs")[-1]
    assert sent["headers"]["Authorization"] == "Bearer local-token"
    assert sent["query"] == {"limit": ["200"]}  # `wait` is not passed on: no call is held


def test_cancel_is_posted_and_an_api_error_keeps_its_status(dashboard, plane):
    plane.script("r1", ("running", []))
    status, body = call(dashboard, "POST", "/tok3n/api/runs/r1/cancel", API)
    assert status == 200 and json.loads(body)["run"]["run_id"] == "r1"
    assert len(plane.calls("POST", "/v1/runs/r1/cancel")) == 1
    plane.fail("GET", "/v1/admin/orphans", status=403, raw={"message": "Forbidden"})
    status, body = call(dashboard, "GET", "/tok3n/api/admin/orphans", API)
    assert status == 403 and "administrators' route" in json.loads(body)["error"]["message"]


@pytest.mark.parametrize("path", ["/", "/app.js", "/wrong/", "/wrong/api/runs", "/tok3n", "/tok3nX/api/runs"])
def test_without_the_token_nothing_is_served(dashboard, plane, path):
    status, body = call(dashboard, "GET", path, API)
    assert status == 404 and b"<html" not in body and b"function" not in body
    assert plane.requests == []


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1", "127.0.0.1:1", "localhost.evil.example:{port}"])
def test_another_host_name_is_refused_dns_rebinding(dashboard, plane, host):
    status, _ = call(dashboard, "GET", "/tok3n/api/runs", API, host=host.format(port=dashboard.server_port))
    assert status == 421
    assert call(dashboard, "GET", "/tok3n/", host=host.format(port=dashboard.server_port))[0] == 421
    assert plane.requests == []


def test_an_api_call_without_the_pages_header_or_from_another_origin_is_refused(dashboard, plane):
    assert call(dashboard, "GET", "/tok3n/api/runs")[0] == 403
    assert call(dashboard, "POST", "/tok3n/api/runs/r1/cancel")[0] == 403  # a cross-site <form> POST
    assert call(dashboard, "POST", "/tok3n/api/runs/r1/cancel", {**API, "Origin": "http://evil.example"})[0] == 403
    assert plane.requests == []


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/tok3n/api/admin/keys/us-east-1", 404),  # a region's private key: never through the page
    ("GET", "/tok3n/api/admin/tailscale", 404),
    ("GET", "/tok3n/api/runs/r1/ssh-keys", 404),
    ("POST", "/tok3n/api/runs", 405),  # no launching from the page
    ("POST", "/tok3n/api/admin/orphans/scan", 404),
    ("DELETE", "/tok3n/api/snapshots/ami-0abc", 405),
    ("PUT", "/tok3n/api/admin/tailscale", 405),
    ("OPTIONS", "/tok3n/api/runs", 405),  # no CORS preflight is ever granted
    ("POST", "/tok3n/", 404),
    ("GET", "/tok3n/api/runs/../admin/keys/us-east-1", 404),
    ("GET", "/tok3n/api/runs/..", 404),
])
def test_methods_and_paths_outside_the_allowlist_are_refused(dashboard, plane, method, path, status):
    assert call(dashboard, method, path, API)[0] == status
    assert plane.requests == []


def test_a_port_that_is_not_one_is_a_usage_error():
    out, err = io.StringIO(), io.StringIO()
    assert main(["dashboard", "--port", "70000"], Environment(stdout=out, stderr=err)) == 2
    assert "not a port number" in err.getvalue()


def test_repl_dashboard_prints_its_url_opens_the_browser_and_ctrl_c_exits_130(monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)

    def ctrl_c(self, poll_interval):
        raise KeyboardInterrupt

    monkeypatch.setattr(Dashboard, "serve_forever", ctrl_c)
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, environ={"SKYREPL_CONTROL_PLANE_URL": "http://127.0.0.1:9"})
    monkeypatch.setattr("repl.config.auth_for", lambda url, env: BearerAuth("t"))
    assert main(["dashboard"], env) == 130
    url = out.getvalue().split()[2]
    assert opened == [url] and url.startswith("http://127.0.0.1:") and len(url.rstrip("/").split("/")[-1]) >= 32
    assert main(["dashboard", "--no-open"], env) == 130 and opened == [url]  # no second browser


def test_a_port_in_use_is_a_usage_error_naming_it(monkeypatch):
    monkeypatch.setattr("repl.config.auth_for", lambda url, env: BearerAuth("t"))
    err = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=err, environ={"SKYREPL_CONTROL_PLANE_URL": "http://127.0.0.1:9"})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--no-open", "--port", str(port)], env) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err.getvalue()
