"""`--region a,b`, `--spec x,y`, `--spot-policy` and repl.toml's `regions` / `spot_policy` (issue 13):
what reaches POST /v1/runs, checked with --dry-run; mistakes refused here, naming the flag or file."""
import json



def request(repl_main, plane, *args):
    result = repl_main("run", "-c", "true", *args, "--dry-run", "--json", server=plane)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_lists_of_regions_and_specs_are_sent_in_order_by_commas_or_repeats(repl_main, plane):
    found = request(repl_main, plane, "--spec", "c7g.large, c6g.large", "--region", "us-east-1,us-west-2",
                    "--region", "eu-west-1", "--spot-policy", "auto")
    assert found["request"]["specs"] == ["c7g.large", "c6g.large"] and "spec" not in found["request"]
    assert found["request"]["regions"] == ["us-east-1", "us-west-2", "eu-west-1"] and "region" not in found["request"]
    assert (found["request"]["spot"], found["request"]["spot_policy"]) == (False, "auto")
    assert {found["sources"][f] for f in ("specs", "regions", "spot_policy")} == {"flag"}
    assert plane.requests == []


def test_one_region_and_one_spec_keep_the_seeds_wire(repl_main, plane):
    found = request(repl_main, plane, "--spec", "t3.micro", "--region", "eu-west-1", "--spot")
    assert {k: found["request"][k] for k in ("spec", "region", "spot")} == {
        "spec": "t3.micro", "region": "eu-west-1", "spot": True}
    assert "spot_policy" not in found["request"] and "regions" not in found["request"]


def test_repl_toml_regions_and_spot_policy_and_a_flag_wins(repl_main, plane, home):
    (home / "repl.toml").write_text('spec = "t3.micro"\nregions = ["us-west-2", "us-east-2"]\nspot_policy = "auto"\n')
    found = request(repl_main, plane)
    assert found["request"]["regions"] == ["us-west-2", "us-east-2"] and found["sources"]["regions"] == "repl.toml"
    assert found["request"]["spot_policy"] == "auto"
    found = request(repl_main, plane, "--region", "eu-west-1", "--no-spot")
    assert found["request"]["region"] == "eu-west-1" and "regions" not in found["request"]
    assert (found["request"]["spot"], "spot_policy" in found["request"]) == (False, False)


def test_mistakes_are_refused_before_anything_is_sent(repl_main, plane, home):
    cases = [(("--spec", "c7g.large,t3.micro"), "repl: specs: t3.micro is amd64"),
             (("--spec", "t3.micro", "--region", "us-east-1,us-east-1"), "repl: regions: 'us-east-1' is listed twice"),
             (("--spec", "t3.micro", "--region", "us-east-1,"), "repl: regions: '' is not an AWS region name"),
             (("--spec", "t3.micro", "--spot", "--spot-policy", "auto"), "repl: flags: --spot contradicts spot_policy auto"),
             (("--spec", "t3.micro", "--spot-policy", "cheap"), "usage:")]
    for args, start in cases:
        result = repl_main("run", "-c", "true", *args, "--dry-run", server=plane)
        assert result.exit_code == 2 and start in result.stderr, (args, result.stderr)
    (home / "repl.toml").write_text('spec = "t3.micro"\nregion = "us-east-1"\nregions = ["us-west-2"]\n')
    result = repl_main("run", "-c", "true", "--dry-run", server=plane)
    assert result.exit_code == 2 and "region and regions both set" in result.stderr
    assert plane.requests == []
