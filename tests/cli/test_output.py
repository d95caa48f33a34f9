"""Rendering details that the command tests do not reach."""
from repl import output
from tests.cli.conftest import make_run


def test_long_and_multi_line_commands_are_shortened_to_one_table_cell():
    assert output.shorten("echo " + "x" * 60) == "echo " + "x" * 34 + "…"
    assert output.shorten("a\n  b") == "a b"


def test_the_duration_falls_back_to_the_creation_time_when_the_command_never_started():
    run = make_run("r1", status="failed", exit_code=1, ended_at="2026-11-26T17:00:05.000Z")
    assert output.summary_line(run) == "[repl] run r1 failed (exit 1) in 5.0s"


def test_the_summary_status_is_coloured_only_when_asked():
    run = make_run("r1", status="cancelled", reason="cancelled by the user")
    assert output.summary_line(run, colour=True) == "[repl] run r1 \033[33mcancelled\033[0m: cancelled by the user"


def test_spot_phase_lines_show_the_price_once_provision_has_it():
    run = make_run(status="provisioning", spot=True)
    assert output.phase_line(run) == "[repl] provisioning t3.micro in us-east-1 (spot)…"
    priced = {**run, "status": "booting", "instance_id": "i-0abc", "spot_price": 0.0035}
    assert output.phase_line(priced) == "[repl] booting i-0abc (spot at $0.0035/h)…"
    assert output.phase_line({**priced, "spot": False, "spot_price": None}) == "[repl] booting i-0abc…"
    assert (output.price(0.00001), output.price(0.1), output.price(None)) == ("$0.00001/h", "$0.1000/h", "-")
