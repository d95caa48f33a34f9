"""`repl local up|down|status|env` over a fake `local.control`."""
import json

from tests.cli.conftest import LocalState

UP = "embedded stack up: API http://127.0.0.1:8750, emulated AWS http://127.0.0.1:8751, control id k3j9xa\n"


def test_up_starts_the_stack_under_dot_repl_and_says_where(repl_main, control, home):
    assert repl_main("local", "up") == (0, UP, "")
    assert control.calls == [("up", home / ".repl")]


def test_up_failure_is_reported_without_a_traceback(repl_main, control):
    control.up_error = "the embedded stack exited during start-up (code 1)"
    assert repl_main("local", "up") == (1, "", "repl: the embedded stack exited during start-up (code 1)\n")


def test_down_stops_it_or_says_it_was_not_running(repl_main, control):
    control.state = LocalState("http://127.0.0.1:8750")
    assert repl_main("local", "down") == (0, "embedded stack stopped\n", "")
    assert repl_main("local", "down") == (0, "embedded stack is not running\n", "")


def test_down_cancels_the_runs_in_flight_first_and_says_so(repl_main, control, home):
    control.state, control.running = LocalState("http://127.0.0.1:8750"), ["r1", "r2"]
    result = repl_main("local", "down")
    assert result == (0, "embedded stack stopped\n", "[repl] 2 runs in flight (r1, r2): cancelling and waiting for "
                      "their instances to be terminated (`repl local down --now` stops at once; the next `repl local "
                      "up` ends them)\n")
    assert [c[0] for c in control.calls] == ["in_flight", "cancel_all", "down"] and control.calls[1][2] == ("r1", "r2")


def test_down_says_which_runs_did_not_end_in_time_and_stops_anyway(repl_main, control):
    control.state, control.running, control.stuck = LocalState("http://127.0.0.1:8750"), ["r1", "r2"], ["r2"]
    result = repl_main("local", "down")
    assert result.exit_code == 0 and result.stdout == "embedded stack stopped\n"
    assert "[repl] not ended yet: r2; stopping anyway: the next `repl local up` ends them\n" in result.stderr


def test_down_now_cancels_nothing(repl_main, control):
    control.state, control.running = LocalState("http://127.0.0.1:8750"), ["r1"]
    assert repl_main("local", "down", "--now") == (0, "embedded stack stopped\n", "")
    assert [c[0] for c in control.calls] == ["down"]


def test_status_prints_where_it_listens(repl_main, control):
    control.state = LocalState("http://127.0.0.1:8750")
    assert repl_main("local", "status") == (0, UP[:-1] + "; region us-east-1, pid 4242\n", "")


def test_status_json_has_every_field_but_the_token(repl_main, control):
    control.state = LocalState("http://127.0.0.1:8750")
    assert json.loads(repl_main("local", "status", "--json").stdout) == {
        "api_url": "http://127.0.0.1:8750", "aws_endpoint": "http://127.0.0.1:8751", "region": "us-east-1",
        "control_id": "k3j9xa", "pid": 4242}


def test_status_when_not_running_exits_1(repl_main):
    assert repl_main("local", "status") == (1, "", "embedded stack is not running\n")
    assert repl_main("local", "status", "--json") == (1, "", "embedded stack is not running\n")


def test_env_prints_exports_for_the_emulated_account(repl_main, control):
    control.state = LocalState("http://127.0.0.1:8750", region="eu-west-1")
    assert repl_main("local", "env").stdout == (
        "export AWS_ENDPOINT_URL=http://127.0.0.1:8751\nexport AWS_ACCESS_KEY_ID=testing\n"
        "export AWS_SECRET_ACCESS_KEY=testing\nexport AWS_DEFAULT_REGION=eu-west-1\nexport AWS_REGION=eu-west-1\n")


def test_env_when_not_running_exits_1_and_prints_nothing_to_eval(repl_main):
    result = repl_main("local", "env")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "repl: embedded stack is not running; start it with: repl local up\n"
