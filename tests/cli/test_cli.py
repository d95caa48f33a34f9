"""Global flags, help and the process entry point."""
import io
import os
import subprocess
import sys

import pytest

from repl import __main__ as entry_module, version
from repl.cli import main
from repl.environment import Environment
from tests.cli.conftest import FakeControl, make_run


def test_version(repl_main):
    assert repl_main("--version") == (0, f"repl {version()}\n", "")


NOUNS = ("run", "artifact", "instance", "local", "cache", "orphan", "snapshot", "ssh", "ssh-config", "setup", "completion")


def test_help_lists_the_commands(repl_main):
    result = repl_main("--help")
    assert result.exit_code == 0 and result.stderr == ""
    for noun in NOUNS:
        assert f"\n    {noun} " in result.stdout.split("positional arguments:")[1]
    assert "repl NOUN --help                   examples for each command" in result.stdout


def test_run_help_shows_the_flags_and_examples(repl_main):
    out = repl_main("run", "--help").stdout
    for text in ("--provider", "--spec", "-c COMMAND, --command COMMAND", "--max-duration DURATION", "--spot, --no-spot",
                 "--on-demand", "--region", "--artifacts GLOB", "-p NAME, --profile NAME", "--dry-run", "--detach", "--json", "examples:",
                 "repl run -p gpu -c", "repl run list --status running", "repl run logs r8k2m9xq1d --follow",
                 "124 max-duration"):
        assert text in out


@pytest.mark.parametrize("noun", NOUNS)
def test_every_noun_has_examples_of_itself_in_its_help(repl_main, noun):
    result = repl_main(noun, "--help")
    assert result.exit_code == 0 and result.stderr == ""
    examples = result.stdout.split("\nexamples:\n")[1]
    assert f"  repl {noun} " in examples or f'"$(repl {noun} ' in examples


def test_run_list_help_shows_its_flags_and_examples(repl_main):
    out = " ".join(repl_main("run", "list", "--help").stdout.split())  # however wide the help is wrapped
    for text in ("--status STATUS", "--limit N", "--cursor CURSOR", "(default: 50)", "examples:",
                 "repl run list --cursor CURSOR", "pending, provisioning, booting, running, succeeded, failed, "
                 "timed_out, cancelled, interrupted, error"):
        assert text in out


@pytest.mark.parametrize("argv", [("run", "logs", "--help"), ("instance", "list", "--help"), ("local", "--help"),
                                  ("snapshot", "create", "--help"), ("orphan", "scan", "--help"),
                                  ("artifact", "list", "--help"), ("artifact", "download", "--help")])
def test_every_subcommand_has_help(repl_main, argv):
    assert repl_main(*argv).exit_code == 0


def test_no_command_is_a_usage_error(repl_main):
    result = repl_main()
    assert (result.exit_code, result.stdout) == (2, "") and "usage: repl" in result.stderr


def test_entry_exits_the_process_with_mains_code(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["repl", "--version"])
    with pytest.raises(SystemExit) as done:
        entry_module.entry()
    assert done.value.code == 0 and capsys.readouterr().out == f"repl {version()}\n"


def test_a_closed_pipe_on_stdout_ends_quietly_with_exit_1(plane):
    class ClosedPipe(io.StringIO):
        def write(self, _text):
            raise BrokenPipeError

    plane.listed = [make_run("r1")]
    env = Environment(stdout=ClosedPipe(), stderr=io.StringIO(), environ={"SKYREPL_CONTROL_PLANE_URL": plane.url,
                      **os.environ}, local_control=FakeControl())
    assert main(["run", "list"], env) == 1 and env.stderr.getvalue() == ""


def test_cache_clear_posts_and_reports_the_count(repl_main, plane):
    plane.routes[("POST", "/v1/admin/cache/clear")] = (200, {"cleared": 3})
    result = repl_main("cache", "clear", server=plane)
    assert result.exit_code == 0 and "AMI cache cleared (3 entries)" in result.stdout


@pytest.mark.parametrize("argv, method, path", [(("cache", "clear"), "POST", "/v1/admin/cache/clear"),
                                               (("orphan", "scan"), "POST", "/v1/admin/orphans/scan"),
                                               (("orphan", "list"), "GET", "/v1/admin/orphans")])
def test_an_administrators_route_refused_by_iam_says_so(repl_main, plane, argv, method, path):
    plane.fail(method, path, status=403, raw={"message": "Forbidden"})  # API Gateway's own refusal
    result = repl_main(*argv, server=plane)
    assert result.exit_code == 1
    assert result.stderr == (f"repl: Forbidden: {path} is an administrators' route, which your IAM identity may not "
                             "call (README, Security: the users' and the administrators' policies); ask whoever "
                             "deployed SkyREPL\n")


@pytest.mark.parametrize("argv, message", [
    (("run", "--specc", "t3.micro", "-c", "true"), "repl run: error: unknown flag --specc; did you mean --spec?"),
    (("run", "--spec", "t3.micro", "-c", "true", "--detatch"), "repl run: error: unknown flag --detatch; did you mean --detach?"),
    (("run", "list", "--bogus"), "repl run list: error: unknown flag --bogus; see repl run list --help"),
    (("artifact", "list", "r1", "--jsn=1"), "repl artifact list: error: unknown flag --jsn; did you mean --json?"),
    (("rn",), "repl: error: unknown command 'rn'; did you mean 'run'? (one of: run, artifact, instance,"),
    (("run", "lsit"), "repl run: error: unknown command 'lsit'; did you mean 'list'? (one of: list, get, logs, cancel)"),
    (("local", "upp"), "repl local: error: unknown command 'upp'; did you mean 'up'?"),
])
def test_a_mistyped_flag_or_command_is_named_with_the_nearest_one(repl_main, plane, argv, message):
    result = repl_main(*argv, server=plane)
    assert result.exit_code == 2 and result.stdout == "" and message in result.stderr
    assert result.stderr.startswith(f"usage: {message.split(':')[0]}") and plane.calls("GET") + plane.calls("POST") == []


@pytest.mark.parametrize("argv", [
    ("run", "--spec=t3.micro", "--det", "-ctrue", "--dry-run"),  # =, argparse's abbreviations, -cVALUE
    ("run", "--spec", "t3.micro", "-c", "--not-a-flag-but-the-command", "--dry-run"),
    ("run", "--spec", "t3.micro", "--dry-run", "-c", "x", "--", "--literal"),
])
def test_what_argparse_accepts_is_not_taken_for_a_typo(repl_main, argv):
    result = repl_main(*argv)
    assert "unknown flag" not in result.stderr and "unknown command" not in result.stderr


def test_a_command_starts_without_the_package_metadata_or_the_dashboard_loaded():
    # every `repl` command paid ~60 ms at its start for the version's importlib.metadata and the dashboard's
    # server and webbrowser; they load only for --version and `repl dashboard` now
    probe = "import sys, repl.cli; print(sorted(m for m in sys.argv[1:] if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe, "importlib.metadata", "webbrowser", "repl.dashboard.server"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
