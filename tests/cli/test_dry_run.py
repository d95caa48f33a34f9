"""`repl run --dry-run`: the resolved request and where each value came from; nothing is sent."""
import json

from tests.cli.conftest import step

TOML = 'spec = "t3.micro"\nmax_duration = 7200000\n[profile.gpu]\nspec = "g5.xlarge"\nspot = true\n'


def test_dry_run_shows_each_value_and_its_source_and_sends_nothing(repl_main, plane, home):
    (home / "repl.toml").write_text(TOML)
    result = repl_main("run", "-p", "gpu", "-c", "python train.py", "--region", "eu-west-1", "--dry-run",
                       server=plane)
    assert result == (0, "dry run: nothing sent; POST /v1/runs would carry:\n"
                         "FIELD            VALUE            FROM\n"
                         "provider         aws              default\n"
                         "spec             g5.xlarge        profile gpu\n"
                         "command          python train.py  flag\n"
                         "max_duration_ms  7200000 (2h00m)  repl.toml\n"
                         "spot             true             profile gpu\n"
                         "region           eu-west-1        flag\n"
                         f"repl.toml: {home / 'repl.toml'}, profile gpu\n", "")
    assert plane.requests == []


def test_dry_run_json_is_the_request_its_sources_and_the_file(repl_main, plane, home):
    (home / "repl.toml").write_text(TOML)
    result = repl_main("run", "-p", "gpu", "-c", "make", "--on-demand", "--dry-run", "--json", server=plane)
    assert json.loads(result.stdout) == {
        "dry_run": True,
        "request": {"provider": "aws", "spec": "g5.xlarge", "command": "make", "max_duration_ms": 7200000,
                    "spot": False},
        "sources": {"provider": "default", "spec": "profile gpu", "command": "flag", "max_duration_ms": "repl.toml",
                    "spot": "flag"},
        "repl_toml": str(home / "repl.toml"), "profile": "gpu"}
    assert plane.requests == []


def test_dry_run_needs_no_control_plane_at_all(repl_main, control):
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--dry-run")
    assert result.exit_code == 0 and result.stderr == "" and control.calls == []
    assert result.stdout.splitlines()[-2:] == ["region           the control plane's  default",
                                               "repl.toml: none found in this directory or above it"]


def test_dry_run_still_refuses_what_a_run_would_refuse(repl_main, plane):
    result = repl_main("run", "--spec", "ubuntu:bionic:amd64", "-c", "true", "--dry-run", server=plane)
    assert result.exit_code == 2 and result.stderr.startswith("repl: spec: version 'bionic'")
    assert repl_main("run", "--dry-run", server=plane).exit_code == 2 and plane.requests == []


def test_dry_run_of_a_snapshot_shows_what_the_snapshot_decides(repl_main, plane):
    out = repl_main("run", "--snapshot", "ami-0abc1234", "-c", "ls", "--dry-run", server=plane).stdout
    assert "spec             the snapshot's default type  default\n" in out
    assert "snapshot         ami-0abc1234                 flag\n" in out
    assert "region           the snapshot's               default\n" in out


def test_dry_run_shows_odd_values_exactly_on_one_line(repl_main, plane, home):
    (home / "repl.toml").write_text('spec = "t3.micro"\nartifacts = ["out/*.csv"]\n')
    result = repl_main("run", "-c", "echo a\necho b", "--dry-run", server=plane)
    assert 'command          "echo a\\necho b"     flag\n' in result.stdout  # a JSON string: one line, exact
    assert 'artifacts        ["out/*.csv"]        repl.toml\n' in result.stdout


def test_dry_run_names_env_variables_but_never_shows_their_values(repl_main, plane, home):
    (home / "repl.toml").write_text('spec = "t3.micro"\nenv = { TOKEN = "s3cret" }\n')
    text = repl_main("run", "-c", "x", "--dry-run", "-e", "API_KEY=hunter2", server=plane).stdout
    as_json = repl_main("run", "-c", "x", "--dry-run", "--json", server=plane).stdout
    assert "s3cret" not in text + as_json and "hunter2" not in text
    assert '{"TOKEN": "(hidden)", "API_KEY": "(hidden)"}' in text
    assert json.loads(as_json)["request"]["env"] == {"TOKEN": "(hidden)"}


def test_a_real_run_is_unaffected_by_the_dry_run_flag_being_available(repl_main, plane):
    plane.script("r1", step("succeeded", exit_code=0))
    assert repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", server=plane) == (0, "r1\n", "")
