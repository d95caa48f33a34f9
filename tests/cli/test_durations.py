"""--max-duration (and repl.toml's max_duration): the seed's milliseconds, or a number with a unit."""
import pytest

from repl import durations


@pytest.mark.parametrize("text, ms", [("300000", 300000), ("90s", 90_000), ("30m", 1_800_000), ("2h", 7_200_000),
                                      ("1.5h", 5_400_000), ("500ms", 500), ("1d", 86_400_000), (7200000, 7200000)])
def test_a_duration_is_milliseconds_or_a_number_with_a_unit(text, ms):
    assert durations.to_ms(text) == ms


@pytest.mark.parametrize("text", ["1.5", "90x", "h", "-5m", "", "2 hours", True])
def test_anything_else_is_not_a_duration(text):
    assert durations.to_ms(text) is None


def test_the_flag_sends_milliseconds(repl_main, plane):
    plane.script("r1")
    repl_main("run", "--spec", "t3.micro", "-c", "true", "--max-duration", "30m", "--detach", "--no-sync",
              server=plane)
    assert plane.calls("POST", "/v1/runs")[0]["body"]["max_duration_ms"] == 1_800_000


def test_a_bad_duration_is_refused_naming_the_flag_and_what_is_allowed(repl_main, plane):
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--max-duration", "1.5", server=plane)
    assert result.exit_code == 2 and "--max-duration" in result.stderr and "90s, 30m, 2h" in result.stderr
    assert plane.calls("POST", "/v1/runs") == []


def test_repl_toml_takes_a_duration_too(repl_main, plane, home):
    (home / "repl.toml").write_text('max_duration = "2h"\n')
    plane.script("r1")
    repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", "--no-sync", server=plane)
    assert plane.calls("POST", "/v1/runs")[0]["body"]["max_duration_ms"] == 7_200_000


