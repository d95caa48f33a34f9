"""repl.toml: where it is found, and the precedence flag > profile > file defaults > built-in defaults
(its errors: test_profile_errors.py)."""
import pytest

from tests.cli.conftest import step

RUN = ("run", "-c", "true", "--detach", "--no-sync")  # the body alone: no workdir in it
FULL = """\
provider = "aws"
spec = "t3.micro"
region = "eu-west-1"
spot = true
max_duration = 600000

[profile.gpu]
spec = "g5.xlarge"
region = "us-west-2"

[profile.arm]
spec = "c8g.large"
"""


@pytest.fixture
def sent(repl_main, plane, monkeypatch, home):
    """Run `repl run ... --detach` from proj/src; the body POSTed."""
    plane.script("r1", step("running"))
    (home / "proj" / "src").mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(home / "proj" / "src")

    def run(*flags):
        result = repl_main(*RUN, *flags, server=plane)
        assert result.exit_code == 0, result.stderr
        return plane.calls("POST", "/v1/runs")[-1]["body"]

    return run


def test_the_files_top_level_keys_are_the_defaults(project, sent):
    project(FULL)
    assert sent() == {"provider": "aws", "spec": "t3.micro", "command": "true", "max_duration_ms": 600000,
                      "spot": True, "region": "eu-west-1"}

def test_a_profile_wins_over_the_files_defaults_which_fill_in_the_rest(project, sent):
    project(FULL)
    assert sent("-p", "gpu") == {"provider": "aws", "spec": "g5.xlarge", "command": "true",
                                 "max_duration_ms": 600000, "spot": True, "region": "us-west-2"}
    assert sent("--profile", "arm")["spec"] == "c8g.large"

def test_a_flag_wins_over_the_profile_and_the_file(project, sent):
    project(FULL)
    body = sent("-p", "gpu", "--spec", "t3.small", "--region", "ap-south-1", "--max-duration", "60000",
                "--provider", "aws")
    assert (body["spec"], body["region"], body["max_duration_ms"]) == ("t3.small", "ap-south-1", 60000)

@pytest.mark.parametrize("flag", ["--no-spot", "--on-demand"])
def test_no_spot_and_on_demand_win_over_spot_true(project, sent, flag):
    project(FULL)
    assert sent("-p", "gpu", flag)["spot"] is False

def test_spot_wins_over_spot_false(project, sent):
    project("spec = 't3.micro'\nspot = false\n")
    assert sent("--spot")["spot"] is True and sent()["spot"] is False

def test_without_a_file_the_built_in_defaults_apply(sent, home):
    assert sent("--spec", "t3.micro") == {"provider": "aws", "spec": "t3.micro", "command": "true",
                                          "max_duration_ms": 3600000, "spot": False}

def test_the_file_is_found_in_a_parent_directory_and_in_home_itself(project, sent, home):
    project('spec = "t4g.nano"\n')
    assert sent()["spec"] == "t4g.nano"
    (home / "proj" / "repl.toml").unlink()
    (home / "repl.toml").write_text('spec = "t3.nano"\n')
    assert sent()["spec"] == "t3.nano"

def test_the_search_stops_below_homes_parent(repl_main, plane, home, monkeypatch):
    (home / "repl.toml").write_text('spec = "t3.nano"\n')  # in the parent of the HOME set below: not read
    monkeypatch.setenv("HOME", str(home / "me"))
    (home / "me" / "proj").mkdir(parents=True)
    monkeypatch.chdir(home / "me" / "proj")
    result = repl_main(*RUN, server=plane)
    assert result.exit_code == 2 and "required: --spec" in result.stderr

def test_outside_home_the_search_goes_up_to_the_root(repl_main, plane, home, monkeypatch):
    plane.script("r1")
    (home / "elsewhere" / "deep").mkdir(parents=True)
    (home / "elsewhere" / "repl.toml").write_text('spec = "t3.nano"\n')
    monkeypatch.setenv("HOME", str(home / "me"))
    monkeypatch.chdir(home / "elsewhere" / "deep")
    assert repl_main(*RUN, server=plane).exit_code == 0
    assert plane.calls("POST")[0]["body"]["spec"] == "t3.nano"

def test_a_profile_is_only_used_when_chosen(project, sent):
    project('[profile.gpu]\nspec = "g5.xlarge"\n')
    assert sent("--spec", "t3.micro")["spec"] == "t3.micro"

def test_a_spec_from_the_file_satisfies_the_required_spec_but_command_is_still_required(
        repl_main, plane, project, monkeypatch, home):
    project('spec = "t3.micro"\n')
    monkeypatch.chdir(home / "proj")
    result = repl_main("run", server=plane)
    assert result.exit_code == 2 and result.stderr.startswith("usage: repl run")
    assert result.stderr.endswith("repl: the following arguments are required: --command\n")

def test_env_and_artifacts_from_the_file_are_sent(project, sent):
    project('spec = "t3.micro"\nenv = { DEBUG = "1" }\nartifacts = ["out/*.csv"]\n')
    body = sent()
    assert (body["env"], body["artifacts"]) == ({"DEBUG": "1"}, ["out/*.csv"])


def test_env_merges_name_by_name_flag_over_profile_over_file(project, sent, monkeypatch):
    project('spec = "t3.micro"\nenv = { A = "file", B = "file", C = "file" }\n\n'
            '[profile.p]\nenv = { B = "profile", C = "profile" }\n')
    monkeypatch.setenv("FROM_SHELL", "shell value")
    body = sent("-p", "p", "--env", "C=flag", "-e", "FROM_SHELL", "--env", "EMPTY=")
    assert body["env"] == {"A": "file", "B": "profile", "C": "flag", "FROM_SHELL": "shell value", "EMPTY": ""}


def test_env_key_alone_must_be_set_in_this_shell(repl_main, plane, monkeypatch):
    monkeypatch.delenv("NOT_SET_HERE", raising=False)
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--env", "NOT_SET_HERE", server=plane)
    assert result.exit_code == 2 and result.stderr == (
        "repl: --env NOT_SET_HERE: NOT_SET_HERE is not set here; set it, or pass --env NOT_SET_HERE=VALUE\n")
    assert plane.requests == []


@pytest.mark.parametrize("item, message", [("1BAD=x", "env: '1BAD' is not allowed"),
                                           ("PATH=/x", "env: 'PATH' is not allowed"),
                                           ("SKYREPL_TOKEN=x", "env: 'SKYREPL_TOKEN' is not allowed")])
def test_a_bad_env_name_is_refused_before_anything_is_sent(repl_main, plane, item, message):
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--env", item, server=plane)
    assert result.exit_code == 2 and result.stderr.startswith(f"repl: {message}") and plane.requests == []


def test_other_commands_never_read_the_file(repl_main, plane, project, monkeypatch, home):
    project("not toml at all [")
    monkeypatch.chdir(home / "proj")
    assert repl_main("run", "list", server=plane).exit_code == 0
