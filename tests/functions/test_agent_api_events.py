"""GET /v1/agent/events: buffered SSE of the events after Last-Event-ID; each call is a heartbeat."""
import json

from functions.core.clock import now_ms
from functions.core.records import AgentEvent
from functions.store import instances, runs
from tests.functions import api_helpers
from tests.functions.api_helpers import response_headers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share


STATE = 'event: state\ndata: {"attached": false}'  # last in every answer: no follower reads the output


def frames(text: str) -> list:
    found = [block for block in text.split("\n\n") if block]
    assert found[-1].startswith("event: state\n"), found
    return found[:-1]


def test_events_after_last_event_id_come_in_id_order_after_a_retry_line(plane):
    agent = plane.agent()
    queued = tuple(AgentEvent(n, "cancel_run" if n > 1 else "start_run", {"n": n}) for n in (3, 1, 4, 2))
    instances.update(agent.instance_key, events=queued)
    status, text = agent.events("2")
    assert status == 200 and frames(text) == [
        "retry: 1000", 'id: 3\nevent: cancel_run\ndata: {"n": 3}', 'id: 4\nevent: cancel_run\ndata: {"n": 4}']


def test_queued_events_get_ids_one_two_three(plane):
    agent = plane.agent()
    ids = [instances.push_event(agent.instance_key, "cancel_run", {"run_id": agent.run_id}) for _ in range(3)]
    assert ids == [1, 2, 3]
    assert [f.split("\n")[0] for f in frames(agent.events("1")[1])] == ["retry: 1000", "id: 2", "id: 3"]


def test_without_last_event_id_every_event_is_sent_and_after_the_last_none(plane):
    agent = plane.agent()
    instances.push_event(agent.instance_key, "start_run", {"run_id": agent.run_id})
    assert [f.split("\n")[0] for f in frames(agent.events()[1])] == ["retry: 1000", "id: 1"]
    assert frames(agent.events("1")[1]) == ["retry: 1000"]


def test_answers_are_event_stream_and_not_cached(plane):
    headers = response_headers(plane.agent().respond("GET", "/v1/agent/events"))
    assert headers["content-type"] == "text/event-stream" and headers["cache-control"] == "no-cache"


def test_retry_is_the_deployments_poll_interval_once_the_command_has_been_handed_over(plane):
    agent = plane.agent()
    runs.update(agent.run_id, start_sent_ms=now_ms())
    assert frames(agent.events()[1]) == ["retry: 15000"]  # functions/settings.py's AGENT_POLL_MS on AWS
    instances.push_event(agent.instance_key, "cancel_run", {"run_id": agent.run_id})
    assert frames(agent.events()[1])[0] == "retry: 1000"  # something to act on: come back soon


def test_each_call_records_last_seen(plane):
    agent = plane.agent()
    assert instances.get(agent.instance_key).last_seen_ms is None
    agent.events()
    first = instances.get(agent.instance_key).last_seen_ms
    agent.events()
    assert instances.get(agent.instance_key).last_seen_ms >= first > 0


def test_a_waiting_task_gets_a_heartbeat_at_most_every_30_seconds(plane):
    agent = plane.agent()
    runs.update(agent.run_id, task_token="token-1")
    beats = plane.sfn_calls("SendTaskHeartbeat")
    agent.events()
    agent.events()
    assert [b["taskToken"] for b in beats] == ["token-1"]


def test_a_stale_task_token_does_not_break_the_heartbeat(plane):
    agent = plane.agent()
    runs.update(agent.run_id, task_token="token-1")
    plane.sfn_calls("SendTaskHeartbeat", fail_with="TaskTimedOut")
    assert agent.events()[0] == 200


def test_a_bad_last_event_id_answers_400_naming_it(plane):
    agent = plane.agent()
    status, text = agent.call("GET", "/v1/agent/events", headers={"Last-Event-ID": "abc"})
    assert (status, json.loads(text)["error"]["field"]) == (400, "Last-Event-ID")


def test_a_cancel_within_its_grace_leaves_the_agent_to_stop_the_command(plane):
    agent = plane.agent()
    runs.update(agent.run_id, status="running", task_token="token-1",
                cancel_requested_ms=now_ms() - 1_000)
    failures = plane.sfn_calls("SendTaskFailure")
    agent.events()
    assert failures == []


def test_a_cancel_past_its_grace_is_forced_on_the_agents_next_poll(plane):
    agent = plane.agent()
    grace_ms = runs.get(agent.run_id).timings.cancel_grace_seconds * 1000
    runs.update(agent.run_id, status="running", task_token="token-1",
                cancel_requested_ms=now_ms() - grace_ms - 1_000)
    failures, beats = plane.sfn_calls("SendTaskFailure"), plane.sfn_calls("SendTaskHeartbeat")
    agent.events()
    assert [(f["taskToken"], f["error"]) for f in failures] == [("token-1", "RunCancelled")] and beats == []


def test_the_state_frame_says_whether_a_follower_reads_the_output(plane):
    agent = plane.agent()
    assert agent.events()[1].endswith(STATE + "\n\n")
    instances.update(agent.instance_key, watched_ms=now_ms())  # a follower's read notes it there
    assert agent.events()[1].endswith('event: state\ndata: {"attached": true}\n\n')


def test_an_answer_with_nothing_for_the_agent_says_what_it_could_wait_on(plane):
    agent = plane.agent()
    assert response_headers(agent.respond("GET", "/v1/agent/events"))["x-skyrepl-wait"] == f"agent:{agent.run_id}"
    instances.push_event(agent.instance_key, "cancel_run", {"run_id": agent.run_id})
    assert "x-skyrepl-wait" not in response_headers(agent.respond("GET", "/v1/agent/events"))


def test_an_idle_pool_agent_waits_on_its_claim_which_releases_it_on_the_embedded_stack(plane, monkeypatch):
    """Nothing for an idle agent: its poll may be held (the embedded gateway holds it) on `idle:<key>`,
    which Provision's claim, answering with the instance, bumps (local/dispatch.py)."""
    from functions.core import naming, tokens
    from local import dispatch
    from local.changes import changes
    from tests.functions.api_helpers import Agent, session_token
    from tests.records import make_instance

    key = "k" + naming.new_id(15)
    _token, token_hash = tokens.mint(key)
    instances.create(make_instance(key, run_id=None, pool_id="p1", pool_name="cpu", instance_id="i-0abc",
                                   launched_ms=now_ms(), registered_ms=now_ms(), token_hashes=(token_hash,)))
    idle = Agent(session_token(key), None, key, _token)
    res = idle.respond("GET", "/v1/agent/events")
    assert res["statusCode"] == 200 and response_headers(res)["x-skyrepl-wait"] == f"idle:{key}"
    seen = instances.get(key).last_seen_ms
    assert seen and idle.respond("GET", "/v1/agent/events")["statusCode"] == 200
    assert instances.get(key).last_seen_ms == seen  # alive a moment ago: not written again (IDLE_SEEN_EVERY_MS)
    since = changes.now()
    monkeypatch.setitem(dispatch.HANDLERS, "Provision", "tests.functions.test_agent_api_events.claimed")
    dispatch.call("Provision", {"run_id": "r1", "instance_key": key})
    assert changes.wait(f"idle:{key}", since, 0)


def claimed(event, _context=None) -> dict:  # a stand-in Provision that took the pool instance
    return {"instance_id": "i-0abc", "instance_key": event["instance_key"], "warm": True, "pool": "cpu"}
