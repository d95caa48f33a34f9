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
