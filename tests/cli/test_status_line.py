"""While `repl run` waits: one live status line on a terminal's stderr (rewritten with \\r), one line
per phase elsewhere; then the closing summary. stdout only ever carries the command's output."""
from tests.cli.conftest import NOW, interrupt, screen, step

SPEC = ("run", "--spec", "t3.micro", "-c", "x")
ENDED = {"started_at": "2026-11-26T17:01:00.000Z", "ended_at": "2026-11-26T17:01:12.300Z",
         "launched_at": "2026-11-26T17:00:00.000Z"}
SPOT_PRICE = {"spot_price": 0.0035, "price_usd_per_hour": 0.0035, "price_source": "spot"}  # as Provision records it
SUMMARY = ("[repl] run r1 succeeded (exit 0) in 12.3s; instance i-0abc being terminated; "
           "<$0.0001 (t3.micro, spot $0.0035/h)")  # 72.3 s at $0.0035/h
PLAIN = {"NO_COLOR": "1"}  # colour off: NO_COLOR turns off the summary's colour, not the live line


def ticking(step_seconds: float = 10):
    """A clock that moves on by `step_seconds` at each (injected) sleep."""
    now = [NOW]
    return (lambda: now[0]), (lambda _seconds: now.__setitem__(0, now[0] + step_seconds))


def script_spot_run(plane, *running_entries):
    plane.script("r1", step("pending"), step("provisioning", spot=True),
                 step("booting", instance_id="i-0abc", **SPOT_PRICE), step("running", *running_entries),
                 step("succeeded", exit_code=0, **ENDED))


def test_on_a_terminal_one_line_is_rewritten_with_each_phase_and_the_elapsed_time(repl_main, plane):
    # each phase seen twice (pending: in the create's answer, then read): the second time has nothing new,
    # so the follower waits (10 s on this clock)
    phases = [step("provisioning", spot=True), step("booting", instance_id="i-0abc", **SPOT_PRICE), step("running")]
    plane.script("r1", step("pending"), *[p for p in phases for _ in (0, 1)], step("succeeded", exit_code=0, **ENDED))
    clock, sleep = ticking()
    result = repl_main(*SPEC, server=plane, err_tty=True, clock=clock, sleep=sleep, env={**PLAIN, "COLUMNS": "100"})
    assert (result.exit_code, result.stdout) == (0, "")
    drawn = [text.rstrip() for text in result.stderr.split("\r") if text.startswith("[repl] run r1 ") and "·" in text]
    assert [text for i, text in enumerate(drawn) if i == 0 or drawn[i - 1] != text] == [
        "[repl] run r1 pending · 42s · t3.micro · us-east-1 · on-demand",
        "[repl] run r1 provisioning · 52s · t3.micro · us-east-1 · spot",
        "[repl] run r1 booting · 1m02s · t3.micro · us-east-1 · spot at $0.0035/h · i-0abc",
        "[repl] run r1 running · 1m12s · t3.micro · us-east-1 · spot at $0.0035/h · i-0abc"]
    assert result.stderr.count("\n") == 1  # the live line never scrolls: only the summary ends a line
    assert screen(result.stderr) == [SUMMARY, ""]


def test_the_commands_output_scrolls_above_the_line_which_the_summary_replaces(repl_main, plane):
    script_spot_run(plane, ("stdout", "hello\n"), ("stderr", "warn\n"))
    result = repl_main(*SPEC, server=plane, terminal=True, env=PLAIN)
    assert result.exit_code == 0
    assert screen(result.stdout) == ["hello", "warn", SUMMARY, ""]


def test_output_that_ends_mid_line_holds_the_line_back_until_the_line_is_finished(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "progress 50%")), step("running"),
                 step("running", ("stdout", " done\n")), step("running"),
                 step("succeeded", exit_code=0, instance_id="i-0abc", spot=True, **SPOT_PRICE, **ENDED))
    result = repl_main(*SPEC, server=plane, terminal=True, env=PLAIN)
    assert screen(result.stdout) == ["progress 50% done", SUMMARY, ""]
    assert "progress 50%\r" not in result.stdout  # nothing was drawn into the unfinished line


def test_on_a_terminal_the_summary_never_joins_an_unfinished_last_line(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "no newline")), step("succeeded", exit_code=0))
    assert screen(repl_main(*SPEC, server=plane, terminal=True, env=PLAIN).stdout) == [
        "no newline", "[repl] run r1 succeeded (exit 0)", ""]


def test_output_to_a_pipe_does_not_hold_the_terminals_line_back(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "no newline")), step("running"), step("succeeded", exit_code=0))
    result = repl_main(*SPEC, server=plane, err_tty=True)
    assert result.stdout == "no newline"
    # drawn at both polls and after the output: a line left open on stdout is not on the terminal
    assert result.stderr.count("\r[repl] run r1 running · 42s · t3.micro") == 3


def test_ctrl_c_keeps_the_last_status_and_says_how_to_come_back(repl_main, plane):
    plane.script("r1", step("booting", instance_id="i-0abc"))
    result = repl_main(*SPEC, server=plane, terminal=True, sleep=interrupt)
    assert result.exit_code == 130
    assert screen(result.stdout) == [
        "[repl] run r1 booting · 42s · t3.micro · us-east-1 · on-demand · i-0abc",
        "detached from run r1; re-attach with: repl run logs r1 --follow; cancel with: repl run cancel r1", ""]


def test_the_line_is_cut_to_the_terminals_width(repl_main, plane):
    script_spot_run(plane)
    result = repl_main(*SPEC, server=plane, err_tty=True, env={"COLUMNS": "40"})
    drawn = [text for text in result.stderr.split("\r") if "·" in text]
    assert drawn and all(len(text.rstrip()) <= 39 for text in drawn)
    assert drawn[0].rstrip() == "[repl] run r1 pending · 42s · t3.micro…"


def test_elsewhere_each_phase_is_one_line_and_nothing_is_rewritten(repl_main, plane):
    script_spot_run(plane)
    result = repl_main(*SPEC, server=plane)
    assert "\r" not in result.stderr
    assert result.stderr.splitlines() == [
        "[repl] run r1 pending…", "[repl] provisioning t3.micro in us-east-1 (spot)…",
        "[repl] booting i-0abc (spot at $0.0035/h)…", "[repl] running", SUMMARY]


def test_logs_follow_shows_the_live_line_too(repl_main, plane):
    plane.script("r1", step("running", ("stdout", "a\n")), step("failed", exit_code=3, instance_id="i-0abc",
                                                                 price_usd_per_hour=0.0104, **ENDED))
    result = repl_main("run", "logs", "r1", "--follow", server=plane, terminal=True)
    assert result.exit_code == 3  # on a terminal without NO_COLOR, the summary's status is coloured
    assert screen(result.stdout) == ["a", "[repl] run r1 \033[31mfailed\033[0m (exit 3) in 12.3s; instance i-0abc "
                                          "being terminated; ~$0.0002 (t3.micro, on-demand $0.0104/h)", ""]


def test_json_and_detach_print_no_status_line(repl_main, plane):
    script_spot_run(plane)
    assert "·" not in repl_main(*SPEC, "--json", server=plane, err_tty=True).stderr
    assert repl_main(*SPEC, "--detach", server=plane, err_tty=True).stderr == ""
