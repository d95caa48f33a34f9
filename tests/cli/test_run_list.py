"""`repl run list`: the table, --json, --status, --limit, and paging with --cursor / next_cursor."""
import json

import pytest

from tests.cli.conftest import make_run

OLD = make_run("r0", status="succeeded", exit_code=0, created_at="2026-11-26T16:00:00.000Z", command="true",
               started_at="2026-11-26T16:00:30.000Z", ended_at="2026-11-26T16:00:32.500Z", spot=True,
               launched_at="2026-11-26T16:00:01.000Z", terminated_at="2026-11-26T16:00:40.000Z",
               price_usd_per_hour=0.0312, price_source="spot")  # 39 s, billed as 60: $0.00052
NEW = make_run("r1", status="running", created_at="2026-11-26T17:00:00.000Z", instance_type="t4g.micro",
               spec="ubuntu:noble:arm64", command="python train.py\n--epochs 3", region="eu-west-1")
STATUSES = ("pending, provisioning, booting, running, succeeded, failed, timed_out, cancelled, interrupted, error")


def many(count: int, statuses=("succeeded",)) -> list:
    """`count` runs, newest first as the API lists them, their statuses taken in turn from `statuses`."""
    return [make_run(f"r{n:03d}", status=statuses[n % len(statuses)],
                     created_at=f"2026-11-{26 - n // 1440:02d}T{23 - n // 60 % 24:02d}:{59 - n % 60:02d}:00.000Z")
            for n in range(count)]


def listed_ids(result) -> list:
    return [line.split()[0] for line in result.stdout.splitlines()[1:]]


def test_list_is_an_aligned_table_newest_first(repl_main, plane):
    plane.listed = [OLD, NEW]
    result = repl_main("run", "list", server=plane)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "ID  STATUS     EXIT  SPEC                            REGION     SPOT  CREATED              DURATION  COST     COMMAND",
        "r1  running    -     ubuntu:noble:arm64 (t4g.micro)  eu-west-1  no    2026-11-26 17:00:00  42s       -        "
        "python train.py --epochs 3",
        "r0  succeeded  0     ubuntu:noble:amd64 (t3.micro)   us-east-1  yes   2026-11-26 16:00:00  2.5s      $0.0005  true"]


def test_a_spec_that_is_the_type_is_shown_once_and_an_ended_run_without_an_end_time_has_no_duration(repl_main, plane):
    plane.listed = [make_run("r1", spec="t3.micro", status="error")]
    row = repl_main("run", "list", server=plane).stdout.splitlines()[1].split()
    assert (row[3], row[8]) == ("t3.micro", "-")


def test_list_json_wraps_the_runs_and_the_next_cursor(repl_main, plane):
    plane.listed = [NEW, OLD]
    result = repl_main("run", "list", "--json", server=plane)
    assert json.loads(result.stdout) == {"runs": [NEW, OLD], "next_cursor": None}
    assert plane.calls("GET", "/v1/runs")[0]["query"] == {"limit": ["50"]}


def test_list_status_is_coloured_only_on_a_terminal_without_no_color(repl_main, plane):
    plane.listed = [OLD]
    assert "\033[32msucceeded" in repl_main("run", "list", server=plane, tty=True).stdout
    assert "\033[" not in repl_main("run", "list", server=plane, tty=True, env={"NO_COLOR": "1"}).stdout
    assert "\033[" not in repl_main("run", "list", server=plane).stdout


def test_status_filters_the_runs_and_can_be_repeated(repl_main, plane):
    plane.listed = many(6, ("succeeded", "failed", "running"))
    assert listed_ids(repl_main("run", "list", "--status", "failed", server=plane)) == ["r001", "r004"]
    both = repl_main("run", "list", "--status", "failed", "--status", "running", "--json", server=plane)
    assert [r["run_id"] for r in json.loads(both.stdout)["runs"]] == ["r001", "r002", "r004", "r005"]
    # the API has no status filter: pages as large as it gives, filtered here
    assert plane.calls("GET", "/v1/runs")[-1]["query"] == {"limit": ["200"]}


def test_an_unknown_status_is_a_usage_error_listing_the_run_states(repl_main, plane):
    result = repl_main("run", "list", "--status", "done", server=plane)
    assert (result.exit_code, result.stdout) == (2, "") and plane.requests == []
    assert "argument --status: invalid choice: 'done'" in result.stderr
    assert "'pending', 'provisioning', 'booting', 'running', 'succeeded', 'failed'" in result.stderr


def test_limit_asks_for_that_many_and_says_how_to_get_the_next_page(repl_main, plane):
    plane.listed = many(5)
    result = repl_main("run", "list", "--limit", "2", server=plane)
    assert listed_ids(result) == ["r000", "r001"]
    assert plane.calls("GET", "/v1/runs")[0]["query"] == {"limit": ["2"]}
    assert result.stderr == "[repl] more runs: repl run list --limit 2 --cursor after-2\n"
    after = repl_main("run", "list", "--limit", "2", "--cursor", "after-2", server=plane)
    assert listed_ids(after) == ["r002", "r003"]
    last = repl_main("run", "list", "--limit", "2", "--cursor", "after-4", server=plane)
    assert (listed_ids(last), last.stderr) == (["r004"], "")


def test_a_limit_above_the_apis_page_follows_next_cursor(repl_main, plane):
    plane.listed = many(450)
    result = repl_main("run", "list", "--limit", "420", "--json", server=plane)
    assert [r["run_id"] for r in json.loads(result.stdout)["runs"]] == [f"r{n:03d}" for n in range(420)]
    assert json.loads(result.stdout)["next_cursor"] == "after-420" and result.stderr == ""
    assert [(c["query"]["limit"], c["query"].get("cursor")) for c in plane.calls("GET", "/v1/runs")] == [
        (["200"], None), (["200"], ["after-200"]), (["20"], ["after-400"])]


def test_a_filtered_page_that_fills_the_limit_mid_page_continues_exactly_after_its_last_run(repl_main, plane):
    plane.listed = many(12, ("failed", "succeeded", "succeeded"))  # failed: r000, r003, r006, r009
    first = repl_main("run", "list", "--status", "failed", "--limit", "2", server=plane)
    assert listed_ids(first) == ["r000", "r003"]
    # the API's cursors are opaque: the same page is asked for again, 4 runs long, for the one after r003
    assert plane.calls("GET", "/v1/runs")[-1]["query"] == {"limit": ["4"]}
    assert first.stderr == "[repl] more runs: repl run list --status failed --limit 2 --cursor after-4\n"
    rest = repl_main("run", "list", "--status", "failed", "--limit", "2", "--cursor", "after-4", server=plane)
    assert listed_ids(rest) == ["r006", "r009"]


@pytest.mark.parametrize("limit", ["0", "-3", "ten"])
def test_a_limit_that_is_not_a_positive_number_is_a_usage_error(repl_main, plane, limit):
    result = repl_main("run", "list", "--limit", limit, server=plane)
    assert result.exit_code == 2 and plane.requests == []
    assert f"argument --limit: {limit!r} is not a whole number from 1 up (e.g. 20)" in result.stderr


def test_a_cursor_the_api_refuses_is_a_usage_error_with_its_message(repl_main, plane):
    result = repl_main("run", "list", "--cursor", "forged", server=plane)
    assert result == (2, "", "repl: cursor: not a cursor this listing returned; pass next_cursor from the "
                             "previous page\n")


def test_an_empty_list_is_the_header_alone(repl_main, plane):
    assert repl_main("run", "list", server=plane) == (
        0, "ID  STATUS  EXIT  SPEC  REGION  SPOT  CREATED  DURATION  COST  COMMAND\n", "")
