"""What `repl run` exits with for each terminal run status."""
import pytest

from functions.core import states


@pytest.mark.parametrize("status, exit_code, cli", [
    ("succeeded", 0, 0), ("failed", 3, 3), ("failed", 255, 255),
    ("timed_out", None, 124), ("cancelled", None, 130), ("interrupted", None, 125), ("error", None, 125),
    ("failed", None, 125),  # a failure without the command's own code is the runner's
])
def test_cli_exit_code_for_each_terminal_status(status, exit_code, cli):
    assert states.cli_exit_code(status, exit_code) == cli


def test_terminal_and_active_statuses_do_not_overlap_and_cover_the_contract():
    assert set(states.ACTIVE_STATUSES) == {"pending", "provisioning", "booting", "running"}
    assert set(states.TERMINAL_STATUSES) == {"succeeded", "failed", "timed_out", "cancelled", "interrupted", "error"}
    assert all(states.is_terminal(s) for s in states.TERMINAL_STATUSES)
    assert not any(states.is_terminal(s) for s in states.ACTIVE_STATUSES)


def test_exit_zero_succeeds_any_other_code_fails():
    assert [states.status_for_exit(c) for c in (0, 1, 137)] == ["succeeded", "failed", "failed"]
