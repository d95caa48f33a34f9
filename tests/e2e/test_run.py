"""`repl run` end to end on the embedded stack."""
import hashlib
import subprocess
import sys
import time

SPEC = ("--provider", "aws", "--spec", "ubuntu:noble:amd64")


def test_hello_world_comes_back_and_the_exit_code_is_0(repl):
    out = repl("run", *SPEC, "--command", "echo hello world", "--max-duration", "300000")
    assert (out.returncode, out.stdout) == (0, "hello world\n"), out.stderr


def test_stdout_and_stderr_arrive_in_order_with_nothing_lost(repl):
    script = 'for i in $(seq 1 3000); do echo "out $i"; echo "err $i" >&2; done; printf "no newline"'
    out = repl("run", *SPEC, "-c", script)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "".join(f"out {i}\n" for i in range(1, 3001)) + "no newline"
    err_lines = [line for line in out.stderr.splitlines() if line.startswith("err ")]
    assert err_lines == [f"err {i}" for i in range(1, 3001)]


def test_the_command_exit_code_passes_through(repl):
    out = repl("run", *SPEC, "-c", "echo before; exit 7")
    assert (out.returncode, out.stdout) == (7, "before\n")
    run = repl.json("run", "list")["runs"][0]
    assert (run["status"], run["exit_code"]) == ("failed", 7)


def test_max_duration_stops_a_long_command_terminates_the_instance_and_keeps_its_artifacts(repl):
    out = repl("run", *SPEC, "-c", "echo started; echo checkpoint > ckpt.txt; sleep 300", "--max-duration", "12000",
               "--no-sync", "--artifacts", "*.txt")
    assert out.returncode == 124, out.stderr
    assert out.stdout == "started\n"
    run = repl.json("run", "list")["runs"][0]
    assert run["status"] == "timed_out" and run["exit_code"] is None and "max-duration" in run["reason"]
    fetched = repl("artifact", "download", run["run_id"], "--to", str(repl.home / "timed-out"))
    assert fetched.returncode == 0 and (repl.home / "timed-out" / "ckpt.txt").read_text() == "checkpoint\n"


def test_cancel_stops_a_running_command_and_terminates_the_instance(repl):
    run_id = repl("run", *SPEC, "-c", "echo working; sleep 3017; true", "--detach").stdout.strip()
    wait_until(lambda: repl.json("run", "get", run_id)["run"]["status"] == "running")
    cancel = repl("run", "cancel", run_id)
    assert cancel.returncode == 0, cancel.stderr
    follow = repl("run", "logs", run_id, "--follow")
    assert follow.returncode == 130 and "working" in follow.stdout
    run = repl.json("run", "get", run_id)["run"]
    assert (run["status"], run["reason"]) == ("cancelled", "cancelled by the user")
    wait_until(lambda: "sleep 3017" not in processes(), what="the command to be killed")


def test_bad_input_is_refused_naming_the_field_and_creates_nothing(repl):
    before = len(repl.json("run", "list")["runs"])
    out = repl("run", "--provider", "aws", "--spec", "ubuntu:bionic:amd64", "-c", "true")
    assert out.returncode == 2 and "spec" in out.stderr and "noble" in out.stderr
    assert len(repl.json("run", "list")["runs"]) == before


def test_run_and_instance_json_carry_the_documented_fields(repl):
    assert repl("run", *SPEC, "-c", "true").returncode == 0
    run = repl.json("run", "list")["runs"][0]
    for field in ("run_id", "status", "exit_code", "reason", "spec", "instance_type", "region", "spot",
                  "instance_id", "created_at", "ended_at", "deadline_at", "terminated_at"):
        assert field in run
    assert (run["instance_type"], run["region"], run["spot"]) == ("t3.micro", "us-east-1", False)

    def terminated():  # the run ends with its command; the workflow then terminates and confirms
        found = [i for i in repl.json("instance", "list", "--all")["instances"] if i["run_id"] == run["run_id"]]
        return found and found[0]["state"] == "terminated" and found[0]

    wait_until(terminated, what="the instance to be terminated")
    assert terminated()["instance_id"] == run["instance_id"]
    assert repl.json("run", "get", run["run_id"])["run"]["terminated_at"] >= run["ended_at"]


def wait_until(predicate, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def processes() -> str:
    return subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout  # -ww: untruncated


def test_bulk_output_comes_back_byte_for_byte_through_s3_chunks(repl):
    # 4 MB of numbered lines with multi-byte characters: far over the inline size, so it goes as
    # gzipped chunks by presigned URL; a lost, doubled or reordered piece changes the bytes.
    script = "python3 -c \"import sys; [sys.stdout.write('%07d é✓ bulk\\n' % i) for i in range(250000)]\""
    out = subprocess.run([sys.executable, "-m", "repl", "run", *SPEC, "--no-sync", "-c", script], env=repl.env,
                         capture_output=True, timeout=120, cwd=repl.cwd)
    expected = "".join("%07d é✓ bulk\n" % i for i in range(250000)).encode()
    assert out.returncode == 0, out.stderr
    assert hashlib.sha256(out.stdout).hexdigest() == hashlib.sha256(expected).hexdigest()
