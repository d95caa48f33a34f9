"""Cost end to end on the embedded stack: the seeded on-demand price, the cost in the summary, the run
list and `repl cost`, and a run held to a tiny `--max-cost` (its agent kills the command at the deadline)."""
SPEC = ("--provider", "aws", "--spec", "t3.micro", "--no-sync")


def test_a_run_is_priced_on_demand_and_its_cost_shown_everywhere(repl):
    out = repl("run", *SPEC, "-c", "echo hi")
    assert out.returncode == 0 and "(t3.micro, on-demand $0.0104/h)" in out.stderr.splitlines()[-1], out.stderr
    run = repl.json("run", "list")["runs"][0]
    assert (run["price_usd_per_hour"], run["price_source"]) == (0.0104, "on-demand") and run["cost_usd"] > 0
    assert repl.json("cost", "--by", "spec")["total"]["cost_usd"] >= run["cost_usd"]


def test_a_tiny_max_cost_ends_the_run_timed_out_max_cost_and_terminates_its_instance(repl):
    # $0.00003 of a t3.micro at $0.0104/h: about 10 s, then the agent kills the command
    out = repl("run", *SPEC, "-c", "echo started; sleep 300", "--max-cost", "0.00003")
    assert out.returncode == 124 and out.stdout == "started\n", out.stderr
    run = repl.json("run", "list")["runs"][0]
    assert (run["status"], run["reason"]) == ("timed_out", "max cost (USD 3e-05 at $0.0104/h) reached")
    assert run["instance_id"] not in repl.live_instances()
