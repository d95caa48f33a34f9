"""`repl ssh-config` and `repl ssh`: a key pair of the user's own per run (made, sent, waited for until the
agent installed it, reused, made anew, removed), an administrator's region key (--region-key), key
files and modes, ssh_config entries, the Include line, and the ssh command line (through a replaced
execvp: no real ssh runs; ssh-keygen is the real one)."""
import json
import stat

import pytest

from functions.core.errors import Conflict
from repl import run_keys
from repl.commands import ssh as ssh_command
from tests.cli.fake_plane import make_instance

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----"
INCLUDE = "Include ~/.repl/ssh_config"


def instance(run_id="r1", instance_id="i-0abc", region="us-east-1", state="running", **fields) -> dict:
    return make_instance(f"k-{run_id}", instance_id=instance_id, run_id=run_id, region=region, state=state,
                         **{"public_ip": "54.1.2.3", **fields})


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def keys(plane):
    """The plane answers each region's key to an administrator (eu-west-1 too)."""
    for region in ("us-east-1", "eu-west-1"):
        plane.routes[("GET", f"/v1/admin/keys/{region}")] = (
            200, {"region": region, "key_name": f"skyrepl-{region}", "private_key": PEM})
    plane.routes[("GET", "/v1/health")] = (200, {"status": "ok", "control_id": "k3j9xa", "version": "0.1.0"})
    return plane


@pytest.fixture
def execs(monkeypatch):
    seen = []
    monkeypatch.setattr(ssh_command, "execvp", lambda file, argv: seen.append((file, argv)))
    return seen


def ssh_options(home, instance_id="i-0abc", host="54.1.2.3") -> list:
    return ["-o", "StrictHostKeyChecking=accept-new", "-o", f"UserKnownHostsFile={home / '.repl/known_hosts'}",
            "-o", f"HostKeyAlias={instance_id}", f"ubuntu@{host}"]


def test_ssh_makes_a_key_for_the_run_sends_its_public_half_waits_until_installed_then_uses_it(
        repl_main, keys, home, execs, sleeps):
    keys.instances = [instance()]
    result = repl_main("ssh", "r1", "--", "uptime", server=keys)
    key = home / ".repl/keys/runs/r1"
    public = key.with_name("r1.pub").read_text()
    assert result.exit_code == 0 and execs == [("ssh", ["ssh", "-i", str(key), "-o", "IdentitiesOnly=yes",
                                                        *ssh_options(home), "uptime"])]
    assert public.startswith("ssh-ed25519 ") and public.rstrip().endswith(" repl-r1")
    assert key.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert mode(key) == 0o600 and mode(key.parent) == 0o700
    assert [c["body"] for c in keys.calls("POST", "/v1/runs/r1/ssh-keys")] == [{"public_key": public.strip()}]
    assert sleeps == [1.0, 1.0] and "waiting for run r1's agent to install your key SHA256:" in result.stderr


def test_a_key_the_api_lists_as_valid_is_reused_without_sending_it_again(repl_main, keys, home, execs, sleeps):
    keys.instances = [instance()]
    repl_main("ssh", "r1", server=keys)
    first, sleeps[:] = (home / ".repl/keys/runs/r1").read_text(), []
    assert repl_main("ssh", "r1", server=keys).exit_code == 0
    assert (home / ".repl/keys/runs/r1").read_text() == first and sleeps == []
    assert len(keys.calls("POST", "/v1/runs/r1/ssh-keys")) == 1 and len(execs) == 2


@pytest.mark.parametrize("spoil", ["forgotten by the API", "readable by others", "half of it missing"])
def test_a_key_that_is_not_valid_is_made_anew_and_sent(repl_main, keys, home, execs, spoil):
    keys.instances = [instance()]
    repl_main("ssh", "r1", server=keys)
    key = home / ".repl/keys/runs/r1"
    first = key.with_name("r1.pub").read_text()
    {"forgotten by the API": lambda: keys.ssh_keys.clear(), "readable by others": lambda: key.chmod(0o644),
     "half of it missing": lambda: key.with_name("r1.pub").unlink()}[spoil]()
    assert repl_main("ssh", "r1", server=keys).exit_code == 0
    assert key.with_name("r1.pub").read_text() != first and mode(key) == 0o600
    assert [c["body"]["public_key"] for c in keys.calls("POST", "/v1/runs/r1/ssh-keys")][-1] == \
        key.with_name("r1.pub").read_text().strip()


def test_when_the_agent_never_installs_the_key_ssh_says_so_and_does_not_exec(repl_main, keys, execs, sleeps):
    keys.instances, keys.agent_acks = [instance()], False
    result = repl_main("ssh", "r1", server=keys)
    assert result.exit_code == 1 and execs == [] and len(sleeps) == run_keys.INSTALL_POLLS
    assert "run r1's agent has not installed your SSH key within 60 s" in result.stderr


def test_a_key_the_api_refuses_is_said_and_nothing_is_execd(repl_main, keys, execs):
    keys.instances = [instance()]
    keys.fail("POST", "/v1/runs/r1/ssh-keys", Conflict("public_key: run r1 has 5 SSH keys, the most it may have",
                                                       field="public_key"))
    result = repl_main("ssh", "r1", server=keys)
    assert result == (1, "", "repl: public_key: run r1 has 5 SSH keys, the most it may have\n") and execs == []


def test_ssh_config_writes_an_entry_with_the_runs_own_key_and_removes_ended_runs_keys(
        repl_main, keys, home, sleeps):
    run_keys.make(home / ".repl", "r9")  # a run that has ended since
    keys.instances = [instance(), instance("r2", "i-0def"), instance("r3", "i-0ghi", state="pending")]
    result = repl_main("ssh-config", server=keys)
    assert result.exit_code == 0 and "with 2 entries (repl-r1, repl-r2)" in result.stdout
    assert "removed the keys of runs no longer running: r9" in result.stdout
    assert sorted(p.name for p in (home / ".repl/keys/runs").iterdir()) == ["r1", "r1.pub", "r2", "r2.pub"]
    assert (
        "\nHost repl-r1\n    HostName 54.1.2.3\n    User ubuntu\n    IdentityFile ~/.repl/keys/runs/r1\n"
        "    IdentitiesOnly yes\n    StrictHostKeyChecking accept-new\n"
        "    UserKnownHostsFile ~/.repl/known_hosts\n    HostKeyAlias i-0abc\n\n") in (home / ".repl/ssh_config").read_text()
    assert len(keys.calls("POST", "/v1/runs/")) == 2 and keys.calls("GET", "/v1/admin/keys/") == []
    assert sleeps == []  # it writes the config; the agents install the keys meanwhile


def test_ssh_config_skips_a_run_that_takes_no_key_with_the_apis_reason(repl_main, keys):
    keys.instances = [instance(), instance("r2", "i-0def")]
    keys.fail("POST", "/v1/runs/r1/ssh-keys", Conflict("run_id: run r1 is succeeded; SSH keys are only for a "
                                                       "running run", field="run_id"))
    summary = json.loads(repl_main("ssh-config", "--json", server=keys).stdout)
    assert summary["hosts"] == ["repl-r2"] and summary["skipped"] == [{
        "run_id": "r1", "instance_id": "i-0abc", "reason": "run_id: run r1 is succeeded; SSH keys are only for a "
                                                          "running run"}]


def test_region_key_writes_the_admin_key_0600_and_an_entry_per_running_instance(repl_main, keys, home):
    keys.instances = [instance(), instance("r2", "i-0def"), instance("r3", "i-0ghi", state="pending")]
    result = repl_main("ssh-config", "--region-key", server=keys)
    assert result.exit_code == 0 and "SSH config written: ~/.repl/ssh_config with 2 entries" in result.stdout
    key = home / ".repl/keys/aws-us-east-1.pem"
    assert key.read_text() == PEM + "\n" and mode(key) == 0o600 and mode(key.parent) == 0o700
    assert len(keys.calls("GET", "/v1/admin/keys/")) == 1 and keys.calls("POST") == []  # once per region
    assert "    IdentityFile ~/.repl/keys/aws-us-east-1.pem\n" in (home / ".repl/ssh_config").read_text()


def test_ssh_with_region_key_execs_ssh_with_the_regions_key(repl_main, keys, home, execs):
    keys.instances = [instance()]
    assert repl_main("ssh", "--region-key", "r1", "--", "uptime", "-p", server=keys).exit_code == 0
    key = home / ".repl/keys/aws-us-east-1.pem"
    assert execs == [("ssh", ["ssh", "-i", str(key), "-o", "IdentitiesOnly=yes", *ssh_options(home),
                              "uptime", "-p"])]
    assert mode(key) == 0o600 and keys.calls("POST") == []


def test_a_user_iam_refuses_the_region_key_is_told_it_is_for_administrators(repl_main, keys, execs):
    keys.instances = [instance()]
    keys.fail("GET", "/v1/admin/keys/us-east-1", status=403, raw={"message": "Forbidden"})
    result = repl_main("ssh", "--region-key", "r1", server=keys)
    assert result.exit_code == 1 and execs == [] and "Region keys are for administrators" in result.stderr
    assert "/v1/admin/keys/us-east-1 is an administrators' route" in result.stderr


def test_the_include_line_is_created_then_never_duplicated(repl_main, keys, home):
    first = repl_main("ssh-config", server=keys)
    assert f"created ~/.ssh/config with `{INCLUDE}`" in first.stdout
    assert mode(home / ".ssh") == 0o700 and (home / ".ssh/config").read_text() == INCLUDE + "\n"
    again = repl_main("ssh-config", server=keys)
    assert f"~/.ssh/config already has `{INCLUDE}`" in again.stdout
    assert (home / ".ssh/config").read_text() == INCLUDE + "\n"


def test_the_include_line_goes_first_in_an_existing_config_and_moves_up_if_lower(repl_main, keys, home):
    (home / ".ssh").mkdir()
    (home / ".ssh/config").write_text(f"Host work\n    User me\n{INCLUDE}\n")
    result = repl_main("ssh-config", server=keys)
    assert f"`{INCLUDE}` moved to the first line of ~/.ssh/config" in result.stdout
    assert (home / ".ssh/config").read_text() == f"{INCLUDE}\nHost work\n    User me\n"


def test_a_region_whose_key_is_lost_is_skipped_with_the_servers_advice(repl_main, keys, home):
    keys.instances = [instance(), instance("r2", "i-0def", region="eu-west-1")]
    keys.fail("GET", "/v1/admin/keys/us-east-1", Conflict("region: ... `aws ec2 delete-key-pair ...`", field="region"))
    result = repl_main("ssh-config", "--region-key", "--json", server=keys)
    summary = json.loads(result.stdout)
    assert result.exit_code == 0 and summary["hosts"] == ["repl-r2"]
    assert summary["skipped"] == [{"run_id": "r1", "instance_id": "i-0abc",
                                   "reason": "region: ... `aws ec2 delete-key-pair ...`"}]


def test_ssh_finds_by_instance_id_and_goes_over_tailscale_when_it_can(repl_main, keys, execs):
    keys.instances = [instance(tailscale_hostname="repl-r1.tail1234.ts.net")]
    assert repl_main("ssh", "i-0abc", server=keys).exit_code == 0
    argv = execs[0][1]
    assert "-i" not in argv and argv[-1] == "ubuntu@repl-r1.tail1234.ts.net" and keys.calls("POST") == []


def test_ssh_to_a_run_that_is_not_running_says_its_status_and_an_ended_runs_key_goes(repl_main, keys, home, execs):
    run_keys.make(home / ".repl", "r9")
    keys.script("r9", status="succeeded")
    assert repl_main("ssh", "r9", server=keys) == (1, "", "repl: run r9 is not running (succeeded)\n")
    assert list((home / ".repl/keys/runs").iterdir()) == []
    keys.instances = [instance("r8", state="pending")]
    keys.script("r8", status="booting")
    assert repl_main("ssh", "repl-r8", server=keys).stderr == "repl: run r8 is not running (booting)\n"
    assert execs == []


def test_ssh_waits_for_the_address_the_workflow_records_after_the_agent_registered(repl_main, keys, execs):
    keys.instances = [instance(public_ip=None)]
    waits = []

    def sleep(seconds):  # the workflow's next look records it (CheckRegistration)
        waits.append(seconds)
        if len(waits) == 3:
            keys.instances = [instance()]

    result = repl_main("ssh", "r1", "--", "true", server=keys, sleep=sleep)
    assert result.exit_code == 0 and "[repl] waiting for the address of instance i-0abc" in result.stderr
    assert waits[:3] == [ssh_command.ADDRESS_POLL_SECONDS] * 3 and execs[0][1][-2:] == ["ubuntu@54.1.2.3", "true"]


def test_ssh_without_a_public_ip_or_to_an_unknown_run_fails_clearly(repl_main, keys, execs, sleeps):
    keys.instances = [instance(public_ip=None)]
    result = repl_main("ssh", "r1", server=keys)
    assert result.exit_code == 1 and "instance i-0abc of run r1 has no public IP after 15 s" in result.stderr
    assert sleeps == [ssh_command.ADDRESS_POLL_SECONDS] * ssh_command.ADDRESS_POLLS
    unknown = repl_main("ssh", "r404", server=keys)
    assert unknown.exit_code == 1 and "no run or live instance r404" in unknown.stderr
    assert execs == []
