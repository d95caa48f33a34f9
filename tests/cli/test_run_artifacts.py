"""`repl run --artifacts GLOB` and repl.toml's artifacts: what is sent, what is refused before sending,
and the line `repl run` ends with (`repl artifact list|download`: test_artifacts.py)."""
import json

import pytest

from functions.core.errors import SkyReplError
from tests.cli.conftest import step

RUN = ("run", "--spec", "t3.micro", "-c", "true", "--no-sync")
TOML = """\
spec = "t3.micro"
artifacts = ["file/*"]

[profile.p]
artifacts = ["profile/*"]

[profile.none]
artifacts = []
"""


def sent(repl_main, plane, *flags) -> dict:
    plane.script("r1", step("running"))
    result = repl_main(*RUN, "--detach", *flags, server=plane)
    assert result.exit_code == 0, result.stderr
    return plane.calls("POST", "/v1/runs")[-1]["body"]


def test_the_flag_repeats_and_each_glob_is_sent_in_order(repl_main, plane):
    assert sent(repl_main, plane, "--artifacts", "out/*.csv", "--artifacts", "model.pt")["artifacts"] == [
        "out/*.csv", "model.pt"]
    assert "artifacts" not in sent(repl_main, plane)


def test_flag_replaces_profile_replaces_file(repl_main, plane, home):
    (home / "repl.toml").write_text(TOML)
    assert sent(repl_main, plane)["artifacts"] == ["file/*"]
    assert sent(repl_main, plane, "-p", "p")["artifacts"] == ["profile/*"]
    assert sent(repl_main, plane, "-p", "p", "--artifacts", "flag/*")["artifacts"] == ["flag/*"]  # no merging
    assert "artifacts" not in sent(repl_main, plane, "-p", "none")  # an empty list clears the file's


@pytest.mark.parametrize("globs, message", [
    (["/data/*.csv"], "'/data/*.csv': absolute or with a backslash; allowed: a glob relative to the directory the "
                      "command runs in, with / between its parts, e.g. out/*.csv"),
    (["ok", "out/../../etc/*"], "'out/../../etc/*': has a '..' component; allowed: a glob inside the directory the "
                                "command runs in, e.g. out/*.csv"),
    ([".."], "'..': has a '..' component"),
    ([""], "'': 0 bytes; allowed: 1 to 256"),
    (["x" * 257], f"'{'x' * 257}': 257 bytes; allowed: 1 to 256"),
    (["a\nb"], "'a\\nb': holds a control character (a newline, a NUL...); allowed: a glob on one line"),
    (["a\0b"], "'a\\x00b': holds a control character"),
    ([f"f{i}" for i in range(21)], "has 21 globs; allowed: at most 20 (one glob can match many files, e.g. out/*.csv)"),
])
def test_a_bad_glob_is_refused_in_the_apis_words_before_anything_is_sent(repl_main, plane, globs, message):
    flags = [word for glob in globs for word in ("--artifacts", glob)]
    result = repl_main(*RUN, *flags, "--dry-run", server=plane)
    assert (result.exit_code, result.stdout) == (2, "") and result.stderr.startswith(f"repl: artifacts: {message}")
    assert plane.requests == []


def test_twenty_globs_of_256_characters_are_fine(repl_main, plane):
    globs = [f"{i:02d}" + "x" * 254 for i in range(20)]
    assert sent(repl_main, plane, *[w for g in globs for w in ("--artifacts", g)])["artifacts"] == globs


def test_a_bad_glob_from_the_file_is_named_with_where_it_was_set(repl_main, plane, home):
    path = home / "repl.toml"
    path.write_text('spec = "t3.micro"\n[profile.p]\nartifacts = ["../up"]\n')
    result = repl_main("run", "-c", "true", "-p", "p", server=plane)
    assert (result.exit_code, plane.requests) == (2, [])
    assert result.stderr == ("repl: artifacts: '../up': has a '..' component; allowed: a glob inside the directory "
                             f"the command runs in, e.g. out/*.csv (set as artifacts in [profile.p] of {path})\n")


def test_dry_run_shows_the_globs_and_where_they_came_from(repl_main, plane, home):
    (home / "repl.toml").write_text(TOML)
    rows = [line.split() for line in repl_main("run", "-c", "x", "--dry-run", server=plane).stdout.splitlines()]
    assert ["artifacts", '["file/*"]', "repl.toml"] in rows
    as_json = json.loads(repl_main("run", "-c", "x", "-p", "p", "--dry-run", "--json", server=plane).stdout)
    assert (as_json["request"]["artifacts"], as_json["sources"]["artifacts"]) == (["profile/*"], "profile p")


def test_the_run_ends_with_what_it_uploaded_and_how_to_get_it(repl_main, plane):
    plane.script("r1", step("running"), step("succeeded", exit_code=0))
    plane.bucket.put("r1", "out/a.csv", b"x" * 200)
    plane.bucket.put("r1", "model.pt", b"y" * 1000)
    result = repl_main(*RUN, "--artifacts", "out/*.csv", "--artifacts", "model.pt", server=plane)
    assert result.exit_code == 0
    assert result.stderr == ("[repl] run r1 pending…\n[repl] running\n[repl] run r1 succeeded (exit 0)\n"
                             "[repl] artifacts: 2 files (1.2 KB); download with: repl artifact download r1\n")


def test_the_run_says_when_nothing_matched(repl_main, plane):
    plane.script("r1", step("failed", exit_code=3))
    result = repl_main(*RUN, "--artifacts", "out/*.csv", "--artifacts", "*.log", "--json", server=plane)
    assert result.exit_code == 3 and json.loads(result.stdout)["run"]["artifacts"] == ["out/*.csv", "*.log"]
    assert result.stderr.endswith("[repl] artifacts: none uploaded (no file matched out/*.csv, *.log)\n")


def test_failing_to_list_them_is_said_but_keeps_the_runs_exit_code(repl_main, plane):
    plane.script("r1", step("failed", exit_code=3))
    plane.fail("GET", "/v1/runs/r1/artifacts", SkyReplError("internal error (request id abc)"))
    result = repl_main(*RUN, "--artifacts", "out/*", server=plane)
    assert result.exit_code == 3
    assert result.stderr.endswith("[repl] artifacts: could not list them (internal error (request id abc)); "
                                  "try: repl artifact list r1\n")


def test_a_run_without_artifacts_never_asks_for_them(repl_main, plane):
    plane.script("r1", step("succeeded", exit_code=0))
    result = repl_main(*RUN, server=plane)
    assert result.exit_code == 0 and "artifacts" not in result.stderr
    assert plane.calls("GET", "/v1/runs/r1/artifacts") == []


def test_run_get_shows_the_globs(repl_main, plane):
    plane.script("r1", step("running"), artifacts=["out/*.csv", "model.pt"])
    assert "artifacts:       out/*.csv, model.pt\n" in repl_main("run", "get", "r1", server=plane).stdout
