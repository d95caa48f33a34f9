"""A run's --env values: fetched from GET /v1/agent/env only when start_run says there are some, given
to the command alone (never logged), and a run that cannot have them does not start without them."""


def start_with_env(plane, start_agent, command):
    plane.add_event("start_run", {"run_id": "r1", "command": command, "deadline_ms": None, "env": True})
    return start_agent()


def test_the_values_reach_the_command_and_nothing_else(plane, start_agent):
    plane.run_env = {"API_TOKEN": "s3cret value", "DEBUG": "1"}
    agent = start_with_env(plane, start_agent, 'echo "$API_TOKEN/$DEBUG"')
    assert plane.wait_for(plane.exited)["exit_code"] == 0 and plane.output("stdout") == "s3cret value/1\n"
    assert "/v1/agent/env" in plane.paths() and "s3cret" not in agent.stderr()  # the agent's own log


def test_without_env_in_start_run_nothing_is_fetched(plane, run_command):
    assert run_command("echo ${API_TOKEN:-unset}")["exit_code"] == 0 and plane.output("stdout") == "unset\n"
    assert "/v1/agent/env" not in plane.paths()


def test_a_refused_env_read_fails_the_run_with_a_message_instead_of_running_without(plane, start_agent):
    plane.fail_next("/v1/agent/env", 403)
    start_with_env(plane, start_agent, "echo ran")
    assert plane.wait_for(plane.exited)["exit_code"] == 127
    assert plane.output("stdout") == "" and "cannot read the run's --env values" in plane.output("stderr")
