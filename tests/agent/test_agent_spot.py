"""Spot interruption: the agent's IMDSv2 poller against the embedded stack's fake IMDS (a real HTTP
server on 127.0.0.1), then the whole agent reacting to a notice."""
import json
import logging
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from agent import imds
from local.imds import FakeImds

INSTANCE = "i-0123456789abcdef0"
ACTION_PATH = "/latest/meta-data/spot/instance-action"


@pytest.fixture
def fake_imds():
    server = FakeImds().start()
    server.add(INSTANCE)
    yield server
    server.stop()


def iso_in(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def http(method, url, headers=None):
    request = urllib.request.Request(url, data=b"" if method == "PUT" else None, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_the_fake_imds_wants_a_token_of_that_instance(fake_imds):
    base = fake_imds.base_url(INSTANCE)
    assert http("GET", base + ACTION_PATH)[0] == 401
    assert http("GET", base + ACTION_PATH, {"X-aws-ec2-metadata-token": "made-up"})[0] == 401
    assert http("PUT", base + "/latest/api/token")[0] == 400  # no TTL header
    assert http("PUT", base + "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "21601"})[0] == 400
    status, token = http("PUT", base + "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"})
    assert status == 200 and token
    assert http("GET", base + ACTION_PATH, {"X-aws-ec2-metadata-token": token})[0] == 404
    fake_imds.add("i-other")
    assert http("GET", fake_imds.base_url("i-other") + ACTION_PATH, {"X-aws-ec2-metadata-token": token})[0] == 401


def test_no_notice_is_none_and_one_token_serves_many_polls(fake_imds):
    client = imds.Imds(fake_imds.base_url(INSTANCE))
    assert client.instance_action() is None and client.instance_action() is None
    methods = [method for method, _ in fake_imds.calls]
    assert methods == ["PUT", "GET", "GET"]


def test_a_notice_is_read_with_its_action_and_time(fake_imds):
    fake_imds.announce(INSTANCE, "terminate", "2026-11-26T12:00:00Z")
    notice = imds.Imds(fake_imds.base_url(INSTANCE)).instance_action()
    assert notice == imds.Notice("terminate", "2026-11-26T12:00:00Z", 1795694400.0)


def test_a_rejected_token_is_replaced_once(fake_imds):
    client = imds.Imds(fake_imds.base_url(INSTANCE))
    assert client.instance_action() is None
    fake_imds.instances[INSTANCE]["tokens"].clear()  # as if it had expired
    fake_imds.announce(INSTANCE, "stop", iso_in(120))
    assert client.instance_action().action == "stop"
    assert [m for m, _ in fake_imds.calls] == ["PUT", "GET", "GET", "PUT", "GET"]


def test_an_unreadable_time_is_taken_as_two_minutes_from_now(fake_imds):
    fake_imds.announce(INSTANCE, "terminate", "soon")
    notice = imds.Imds(fake_imds.base_url(INSTANCE)).instance_action()
    assert abs(notice.at - (time.time() + 120)) < 5 and notice.time.endswith("Z")


def test_the_watcher_hands_a_notice_on_once_then_stops(fake_imds):
    seen = []
    watcher = imds.SpotWatcher(imds.Imds(fake_imds.base_url(INSTANCE)), 0.05, seen.append)
    watcher.start()
    time.sleep(0.3)
    assert seen == []
    fake_imds.announce(INSTANCE, "terminate", "2026-11-26T12:00:00Z")
    watcher._thread.join(5)
    assert not watcher._thread.is_alive() and [n.action for n in seen] == ["terminate"]


def closed_url() -> str:
    """A loopback port nothing listens on: what an agent off EC2 finds at 169.254.169.254."""
    dead = FakeImds()
    dead.server.server_close()
    return dead.url


def test_an_unreachable_imds_is_given_up_after_logging_once(caplog):
    watcher = imds.SpotWatcher(imds.Imds(closed_url()), 0.01, lambda notice: pytest.fail("no notice expected"))
    with caplog.at_level(logging.INFO, logger="agent"):
        watcher.start()
        watcher._thread.join(5)
    assert not watcher._thread.is_alive()
    assert [r.message for r in caplog.records if "IMDS" in r.message][0].startswith("IMDS unreachable")
    assert len([r for r in caplog.records if "IMDS" in r.message]) == 1


def cpu_seconds(pid: int) -> float:
    fields = open("/proc/{}/stat".format(pid)).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def statuses(plane):
    return [b["status"] for b in plane.bodies("/v1/agent/status")]


def start_spot_run(plane, start_agent, fake_imds, command, spot=True, **env):
    plane.add_event("start_run", {"run_id": "r1", "command": command, "deadline_ms": None, "spot": spot})
    return start_agent(SKYREPL_IMDS_URL=fake_imds.base_url(INSTANCE), SKYREPL_IMDS_POLL_SECONDS="0.05", **env)


def test_a_notice_is_reported_first_then_the_command_is_stopped_and_reported_interrupted(plane, start_agent,
                                                                                         fake_imds):
    start_spot_run(plane, start_agent, fake_imds, "echo checkpoint 1; sleep 60")
    plane.wait_for(lambda: plane.output("stdout") == "checkpoint 1\n")
    fake_imds.announce(INSTANCE, "terminate", iso_in(10))  # within the 30 s margin: stop it now
    exited = plane.wait_for(plane.exited)
    assert exited == {"run_id": "r1", "status": "exited", "exit_code": None, "interrupted": True}
    notices = [b for b in plane.bodies("/v1/agent/status") if b["status"] == "interrupted"]
    assert notices == [{"run_id": "r1", "status": "interrupted", "action": "terminate",
                        "time": fake_imds.instances[INSTANCE]["notice"]["time"]}]
    assert statuses(plane) == ["started", "interrupted", "exited"]


def test_before_the_margin_the_command_runs_on_and_its_output_keeps_coming(plane, start_agent, fake_imds):
    command = "for i in $(seq 1 300); do echo tick $i; sleep 0.1; done"
    agent = start_spot_run(plane, start_agent, fake_imds, command)
    plane.wait_for(lambda: "tick 2\n" in plane.output("stdout"))
    fake_imds.announce(INSTANCE, "terminate", iso_in(120))  # AWS's two minutes: 90 s before the kill
    plane.wait_for(lambda: "interrupted" in statuses(plane))
    ticks, cpu = plane.output("stdout").count("tick"), cpu_seconds(agent.popen.pid)
    plane.wait_for(lambda: plane.output("stdout").count("tick") >= ticks + 8)
    assert plane.exited() is None
    assert cpu_seconds(agent.popen.pid) - cpu < 0.4  # waiting for the kill time is no busy loop
    plane.gone = True  # the instance is going: the agent stops the command, as a shutdown would
    assert agent.wait() == 0
    assert plane.exited() == {"run_id": "r1", "status": "exited", "exit_code": None, "interrupted": True}


def test_a_command_that_ends_before_any_notice_reports_its_exit_code(plane, start_agent, fake_imds):
    start_spot_run(plane, start_agent, fake_imds, "sleep 0.3; echo done")
    assert plane.wait_for(plane.exited)["exit_code"] == 0 and statuses(plane) == ["started", "exited"]
    assert ("PUT", "/{}/latest/api/token".format(INSTANCE)) in fake_imds.calls


def test_an_on_demand_run_never_asks_imds(plane, start_agent, fake_imds):
    fake_imds.announce(INSTANCE, "terminate", iso_in(0))
    start_spot_run(plane, start_agent, fake_imds, "sleep 0.5; echo fine", spot=False)
    assert plane.wait_for(plane.exited)["exit_code"] == 0 and fake_imds.calls == []


def test_a_spot_run_off_ec2_runs_to_its_end(plane, start_agent):
    plane.add_event("start_run", {"run_id": "r1", "command": "sleep 0.5; echo fine", "deadline_ms": None,
                                  "spot": True})
    agent = start_agent(SKYREPL_IMDS_URL=closed_url(), SKYREPL_IMDS_POLL_SECONDS="0.05")
    assert plane.wait_for(plane.exited)["exit_code"] == 0 and plane.output("stdout") == "fine\n"
    assert agent.stderr().count("IMDS unreachable") == 1


def test_the_notice_body_is_json_the_control_plane_takes():
    notice = imds.parse_notice(json.dumps({"action": "hibernate", "time": "2026-11-26T12:00:00Z"}).encode(), 0)
    assert notice.action == "hibernate" and notice.time == "2026-11-26T12:00:00Z"
    assert imds.parse_notice(b"not json", 0) is None and imds.parse_notice(b'{"time": "x"}', 0) is None
