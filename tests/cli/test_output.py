"""Rendering details that the command tests do not reach: summary and phase lines, durations, costs."""
import pytest

from repl import output, pricing, run_lines
from tests.cli.conftest import make_run


def test_long_and_multi_line_commands_are_shortened_to_one_table_cell():
    assert output.shorten("echo " + "x" * 60) == "echo " + "x" * 34 + "…"
    assert output.shorten("a\n  b") == "a b"


def test_the_duration_falls_back_to_the_creation_time_when_the_command_never_started():
    run = make_run("r1", status="failed", exit_code=1, ended_at="2026-11-26T17:00:05.000Z")
    assert run_lines.summary_line(run) == "[repl] run r1 failed (exit 1) in 5.0s"


def test_the_summary_status_is_coloured_only_when_asked_and_an_unknown_time_is_left_out():
    run = make_run("r1", status="cancelled", reason="cancelled by the user")
    assert run_lines.summary_line(run, colour=True) == (
        "[repl] run r1 \033[33mcancelled\033[0m (exit 130): cancelled by the user")


def test_spot_phase_lines_show_the_price_once_provision_has_it():
    run = make_run(status="provisioning", spot=True)
    assert run_lines.phase_line(run) == "[repl] provisioning t3.micro in us-east-1 (spot)…"
    priced = {**run, "status": "booting", "instance_id": "i-0abc", "spot_price": 0.0035}
    assert run_lines.phase_line(priced) == "[repl] booting i-0abc (spot at $0.0035/h)…"
    assert run_lines.phase_line({**priced, "spot": False, "spot_price": None}) == "[repl] booting i-0abc…"
    assert (output.price(0.00001), output.price(0.1), output.price(None)) == ("$0.00001/h", "$0.1000/h", "-")


@pytest.mark.parametrize("seconds, tenths, text", [(12.34, True, "12.3s"), (12.9, False, "12s"), (245, True, "4m05s"),
                                                   (7380, True, "2h03m"), (None, True, "?")])
def test_durations_read_at_a_glance(seconds, tenths, text):
    assert output.duration(seconds, tenths) == text


# as the control plane records a run Provision priced: its cost_usd is the view's (functions/core/costs.py)
ENDED = {"instance_id": "i-0abc", "created_at": "2026-11-26T16:59:50.000Z", "launched_at": "2026-11-26T17:00:00.000Z",
         "price_usd_per_hour": 0.0104, "price_source": "on-demand"}


@pytest.mark.parametrize("fields, cost", [
    # an hour of a t3.micro on demand
    ({"ended_at": "2026-11-26T18:00:00.000Z"}, "~$0.0104 (t3.micro, on-demand $0.0104/h)"),
    # 10 s are billed as EC2's one-minute minimum: 0.0104 / 60
    ({"ended_at": "2026-11-26T17:00:10.000Z"}, "~$0.0002 (t3.micro, on-demand $0.0104/h)"),
    # the run's own spot price, when Provision looked it up
    ({"ended_at": "2026-11-26T19:00:00.000Z", "spot": True, "spot_price": 0.0035, "price_usd_per_hour": 0.0035,
      "price_source": "spot"}, "~$0.0070 (t3.micro, spot $0.0035/h)"),
    # to EC2's confirmed termination, when there is one
    ({"ended_at": "2026-11-26T18:00:00.000Z", "terminated_at": "2026-11-26T19:00:00.000Z"},
     "~$0.0208 (t3.micro, on-demand $0.0104/h)"),
    # a spot run without one is priced at most at on-demand, and says so
    ({"ended_at": "2026-11-26T18:00:00.000Z", "spot": True},
     "~$0.0104 (t3.micro, spot, priced at on-demand $0.0104/h)"),
    # a day of a GPU
    ({"ended_at": "2026-11-27T17:00:00.000Z", "instance_type": "g5.xlarge", "price_usd_per_hour": 1.006},
     "~$24.14 (g5.xlarge, on-demand $1.0060/h)"),
])
def test_the_cost_is_instance_time_times_the_hourly_price(fields, cost):
    assert pricing.estimate(make_run(**{**ENDED, **fields})) == cost


@pytest.mark.parametrize("fields", [{"instance_type": "x9.mega", "price_usd_per_hour": None, "price_source": None,
                                     "ended_at": "2026-11-26T18:00:00.000Z"},
                                    {"instance_id": None, "ended_at": "2026-11-26T18:00:00.000Z"},
                                    {"ended_at": None}])
def test_no_cost_is_shown_for_an_unknown_type_no_instance_or_no_end(fields):
    run = make_run("r1", status="succeeded", exit_code=0, **{**ENDED, **fields})
    assert pricing.estimate(run) is None and "$" not in run_lines.summary_line(run)


def test_the_cost_ends_the_summary_line():
    run = make_run("r1", status="succeeded", exit_code=0, ended_at="2026-11-26T18:00:00.000Z", **ENDED)
    assert run_lines.summary_line(run) == ("[repl] run r1 succeeded (exit 0) in 1h00m; instance i-0abc being "
                                           "terminated; ~$0.0104 (t3.micro, on-demand $0.0104/h)")


def test_the_summary_says_terminated_once_ec2_has_confirmed_it():
    run = make_run("r1", status="succeeded", exit_code=0, ended_at="2026-11-26T18:00:00.000Z",
                   terminated_at="2026-11-26T18:00:01.000Z", **ENDED)
    assert "; instance i-0abc terminated; " in run_lines.summary_line(run)


def test_a_nested_field_is_shown_field_by_field_not_as_a_python_dict():
    text = output.key_values({"status": "interrupted", "interruption": {"action": "terminate",
                                                                         "at": "2026-11-26T12:00:00.000Z"}})
    assert text.splitlines() == ["status:              interrupted", "interruption.action: terminate",
                                 "interruption.at:     2026-11-26T12:00:00.000Z"]


def test_a_list_field_reads_as_a_comma_separated_cell():
    assert output.key_values({"env_names": ["API_TOKEN", "DEBUG"], "tags": []}).splitlines() == [
        "env_names: API_TOKEN, DEBUG", "tags:      -"]


def test_a_reason_that_names_the_instance_is_not_followed_by_its_id_again():
    run = make_run("r1", status="error", exit_code=None, ended_at="2026-11-26T18:00:00.000Z",
                   reason="the agent on i-0abc did not register within 300 s of launch", **ENDED)
    line = run_lines.summary_line(run)
    assert line.count("i-0abc") == 1 and "launch; instance being terminated; ~$" in line
