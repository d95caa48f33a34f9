"""AWS errors moto cannot raise, injected into the embedded stack: the user sees an actionable reason."""
import json


def inject(repl, call: str, code: str, times: int = 1) -> None:
    (repl.home / ".repl" / "local" / "faults.json").write_text(json.dumps([{"call": call, "code": code,
                                                                            "times": times}]))


def test_a_vcpu_quota_error_fails_at_once_pointing_to_the_quota_request(repl):
    inject(repl, "ec2:RunInstances", "VcpuLimitExceeded")
    out = repl("run", "--provider", "aws", "--spec", "ubuntu:noble:amd64", "-c", "true")
    assert out.returncode == 125 and "Request limit increase" in out.stderr, out.stderr
    run = repl.json("run", "list")["runs"][0]
    assert run["status"] == "error" and "QuotaError" in run["reason"] and run["instance_id"] is None


def test_a_denied_action_is_named_with_the_credentials_check_to_run(repl):
    inject(repl, "ec2:RunInstances", "UnauthorizedOperation")
    out = repl("run", "--provider", "aws", "--spec", "ubuntu:noble:amd64", "-c", "true")
    assert out.returncode == 125
    assert "ec2:RunInstances" in out.stderr and "aws sts get-caller-identity" in out.stderr, out.stderr
