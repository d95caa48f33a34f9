"""repl.toml's errors: each stops `repl run` with exit 2 and nothing sent, naming the file, the key
(or profile) at fault and what is allowed."""
import pytest

from repl import project as project_module

RUN = ("run", "-c", "true", "--detach")
TWO_PROFILES = '[profile.gpu]\nspec = "g5.xlarge"\n\n[profile.arm]\nspec = "c8g.large"\n'


def error(repl_main, plane, monkeypatch, home, *flags):
    monkeypatch.chdir(home / "proj" / "src")
    result = repl_main(*RUN, *flags, server=plane)
    assert (result.exit_code, result.stdout) == (2, "") and plane.calls("POST") == [], result
    return result.stderr


def test_a_missing_spec_says_the_file_can_give_it(repl_main, plane):
    result = repl_main("run", "-c", "true", server=plane)
    assert result.exit_code == 2 and result.stderr.startswith("usage: repl run")
    assert result.stderr.endswith("repl: the following arguments are required: --spec; --spec can also be set "
                                  "in repl.toml (see README, Profiles)\n")


@pytest.mark.parametrize("text, message", [
    ('spec = "t3.micro"\ncpu = 2\n', "unknown key 'cpu'; allowed: provider, spec, region, regions, spot, spot_policy, max_duration, "
                                     "env, artifacts, profile"),
    ('[profile.gpu]\nmax_duration_ms = 1\n', "[profile.gpu] unknown key 'max_duration_ms'; allowed: provider, "
                                             "spec, region, regions, spot, spot_policy, max_duration, env, artifacts"),
    ('spot = "yes"\n', 'spot must be true or false (it is "yes")'),
    ("max_duration = \"2 hours\"\n", 'max_duration must be milliseconds or a number with a unit, e.g. '
                                    'max_duration = 7200000 or "2h" (it is "2 hours")'),
    ("max_duration = true\n", 'max_duration must be milliseconds or a number with a unit, e.g. max_duration = '
                               '7200000 or "2h" (it is true)'),
    ("[profile.gpu]\nspec = 3\n", '[profile.gpu] spec must be a string, e.g. spec = "t3.micro" or spec = '
                                   '"ubuntu:noble:arm64" (it is 3)'),
    ("env = { A = 1 }\n", 'env must be a table of strings, e.g. env = { DEBUG = "1" } (it is {"A": 1})'),
    ('artifacts = "out"\n', 'artifacts must be an array of strings, e.g. artifacts = ["out/*.csv"] (it is "out")'),
    ('profile = "gpu"\n', "profile must hold named tables, e.g. [profile.gpu] with its settings below it"),
])
def test_a_bad_key_or_type_is_refused_naming_the_file_and_what_is_allowed(repl_main, plane, project, monkeypatch,
                                                                           home, text, message):
    path = project(text)
    assert error(repl_main, plane, monkeypatch, home, "--spec", "t3.micro") == f"repl: {path}: {message}\n"


def test_a_file_that_is_not_toml_is_named(repl_main, plane, project, monkeypatch, home):
    path = project('spec = "t3.micro\n')
    message = error(repl_main, plane, monkeypatch, home)
    assert message.startswith(f"repl: {path} is not valid TOML (") and "see README, Profiles" in message


def test_an_unknown_profile_lists_the_defined_ones(repl_main, plane, project, monkeypatch, home):
    path = project(TWO_PROFILES)
    assert error(repl_main, plane, monkeypatch, home, "-p", "gpu2") == (
        f"repl: --profile gpu2: no [profile.gpu2] in {path}; defined: arm, gpu\n")
    project('spec = "t3.micro"\n')
    assert error(repl_main, plane, monkeypatch, home, "-p", "gpu") == (
        f"repl: --profile gpu: no [profile.gpu] in {path}; defined: none yet; add a [profile.gpu] table\n")


def test_a_profile_without_any_file_says_to_create_one(repl_main, plane, home):
    result = repl_main(*RUN, "-p", "gpu", server=plane)
    assert result == (2, "", f"repl: --profile gpu: no repl.toml in {home / 'work'} or the directories above it; create one "
                             "with a [profile.gpu] table (see README, Profiles)\n")


def test_a_bad_value_from_the_file_is_named_with_where_it_was_set(repl_main, plane, project, monkeypatch, home):
    path = project('spec = "t3.micro"\n[profile.mars]\nregion = "Mars"\n')
    assert error(repl_main, plane, monkeypatch, home, "-p", "mars") == (
        "repl: region: 'Mars' is not an AWS region name; allowed: e.g. us-east-1, eu-west-1 "
        f"(set as region in [profile.mars] of {path})\n")
    # the same mistake in a flag needs no such note
    assert error(repl_main, plane, monkeypatch, home, "-p", "mars", "--region", "Venus").endswith(
        "allowed: e.g. us-east-1, eu-west-1\n")
    project("max_duration = 10\n")
    assert error(repl_main, plane, monkeypatch, home, "--spec", "t3.micro") == (
        "repl: max_duration_ms: 10 is out of range; allowed: an integer number of milliseconds from 1000 to "
        f"604800000 (set as max_duration in {path})\n")


def test_a_file_that_cannot_be_read_is_named_with_the_reason(repl_main, plane, project, monkeypatch, home):
    path = project('spec = "t3.micro"\n')

    def denied(_file):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(project_module.tomllib, "load", denied)  # root reads any file: refuse it here instead
    assert error(repl_main, plane, monkeypatch, home) == f"repl: cannot read {path}: Permission denied\n"


def test_a_bad_spec_from_a_profile_is_named_with_the_profile(repl_main, plane, project, monkeypatch, home):
    path = project('[profile.old]\nspec = "ubuntu:bionic:amd64"\n')
    message = error(repl_main, plane, monkeypatch, home, "-p", "old")
    assert message.startswith("repl: spec: version 'bionic'")
    assert message.endswith(f"(set as spec in [profile.old] of {path})\n")
