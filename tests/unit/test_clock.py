"""Records keep epoch milliseconds; the API shows UTC ISO-8601 with milliseconds and a Z."""
import pytest

from functions.core.clock import iso, now_ms, parse_iso


def test_iso_has_milliseconds_and_z():
    assert iso(1_795_000_000_007) == "2026-11-18T11:06:40.007Z"
    assert iso(None) is None


# 1082719911416 and 2149727578812 are values whose float seconds round just below the millisecond
@pytest.mark.parametrize("ms", [0, 1_795_000_000_007, 1_795_000_000_999, 1_082_719_911_416, 2_149_727_578_812])
def test_milliseconds_survive_a_round_trip_through_iso(ms):
    assert parse_iso(iso(ms)) == ms


def test_parse_iso_reads_what_iso_writes_and_now_is_now():
    assert iso(parse_iso("2026-11-26T17:00:00.123Z")) == "2026-11-26T17:00:00.123Z"
    assert abs(parse_iso(iso(now_ms())) - now_ms()) < 1000
