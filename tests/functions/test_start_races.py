"""The command goes out with the registration (no timer between the two), and every race that opens is
settled by conditional writes: a lost register reply, a cancel before the start, the exit reported
before the workflow holds its token (or after), and the workflow's own fallback hand-over."""
import json

from functions.core.clock import now_ms
from functions.store import instances, runs
from functions.workflow import dispatch_run
from tests.functions import api_helpers

aws_tables, plane = api_helpers.aws_tables, api_helpers.plane  # the fixtures these tests share


def launched(plane, **body):
    """An agent whose run Provision has launched: its deadline is set, counted from the launch request."""
    agent = plane.agent(**body)
    runs.start_clock(agent.run_id, now_ms() + 60_000)
    return agent


def register(agent) -> dict:
    status, answer = agent.post("/v1/agent/register", {"hostname": "ip-10-0-0-1"})
    assert status == 200, answer
    return answer


def test_the_register_reply_carries_the_command_and_claims_it(plane):
    agent = launched(plane, command="echo hi")
    start = register(agent)["start_run"]
    assert (start["run_id"], start["command"]) == (agent.run_id, "echo hi")
    assert start["deadline_ms"] == runs.get(agent.run_id).deadline_ms and runs.get(agent.run_id).start_sent_ms


def test_a_lost_register_reply_is_answered_again_with_the_same_command_and_no_second_claim(plane):
    agent = launched(plane)
    first = register(agent)["start_run"]
    claimed = runs.get(agent.run_id).start_sent_ms
    assert register(agent)["start_run"] == first and runs.get(agent.run_id).start_sent_ms == claimed


def test_the_workflow_does_not_hand_over_a_command_the_registration_has(plane):
    agent = launched(plane)
    register(agent)
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    assert instances.get(agent.instance_key).events == ()  # no start_run event: the agent has its command


def test_without_a_registration_claim_the_workflow_hands_the_command_over_once(plane):
    agent = launched(plane)
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})  # a retried task
    assert [e.type for e in instances.get(agent.instance_key).events] == ["start_run"]
    assert register(agent)["start_run"] is not None  # a late registration still gets it (the agent dedups)


def test_a_run_cancelled_before_it_started_gets_no_command_and_its_task_fails(plane):
    agent = launched(plane)
    assert plane.call("POST", f"/v1/runs/{agent.run_id}/cancel")[0] == 202
    assert register(agent)["start_run"] is None
    failures = plane.sfn_calls("SendTaskFailure")
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    assert [(f["taskToken"], f["error"]) for f in failures] == [("token-1", "RunCancelled")]
    assert instances.get(agent.instance_key).events[-1].type == "cancel_run"  # no start_run was ever queued


def test_an_exit_reported_before_the_token_is_stored_is_sent_on_by_the_workflow(plane):
    agent = launched(plane)
    register(agent)
    successes = plane.sfn_calls("SendTaskSuccess")
    assert agent.status("exited", exit_code=0)[0] == 200
    assert successes == [] and runs.get(agent.run_id).status == "succeeded"  # over for the user already
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    assert [(s["taskToken"], json.loads(s["output"])["exit_code"]) for s in successes] == [("token-1", 0)]


def test_an_exit_reported_after_the_token_is_stored_is_sent_by_the_agent_api_only(plane):
    agent = launched(plane)
    register(agent)
    dispatch_run.handler({"run_id": agent.run_id, "task_token": "token-1"})
    successes = plane.sfn_calls("SendTaskSuccess")
    agent.status("exited", exit_code=4)
    assert [(s["taskToken"], json.loads(s["output"])["exit_code"]) for s in successes] == [("token-1", 4)]


def test_an_agent_that_restarts_while_its_command_runs_ends_the_run_and_goes_on_numbering(plane):
    agent = launched(plane)
    register(agent)
    agent.status("started")
    agent.logs(1, [{"stream": "stdout", "data": "before the restart\n"}])
    # a new agent process, before the old one first polled events (its boot token is not spent yet)
    again = register(agent)
    assert (again["start_run"], again["log_seq"]) == (None, 1)
    run = runs.get(agent.run_id)
    assert (run.status, run.reason) == ("error", "the agent restarted while the command ran: the command was lost")
