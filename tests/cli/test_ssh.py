"""`repl ssh-config` and `repl ssh`: key files and modes, ssh_config entries, the Include line,
and the ssh command line (through a replaced execvp: no real ssh runs)."""
import json
import stat

import pytest

from functions.core.errors import Conflict
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
    """The plane answers each region's key (eu-west-1 too)."""
    for region in ("us-east-1", "eu-west-1"):
        plane.routes[("GET", f"/v1/keys/{region}")] = (200, {"region": region, "key_name": f"skyrepl-{region}",
                                                             "private_key": PEM})
    plane.routes[("GET", "/v1/health")] = (200, {"status": "ok", "control_id": "k3j9xa", "version": "0.1.0"})
    return plane


@pytest.fixture
def execs(monkeypatch):
    seen = []
    monkeypatch.setattr(ssh_command, "execvp", lambda file, argv: seen.append((file, argv)))
    return seen


def test_ssh_config_writes_the_key_0600_and_an_entry_per_running_instance(repl_main, keys, home):
    keys.instances = [instance(), instance("r2", "i-0def"), instance("r3", "i-0ghi", state="pending")]
    result = repl_main("ssh-config", server=keys)
    assert result.exit_code == 0 and "SSH config written: ~/.repl/ssh_config with 2 entries" in result.stdout
    key = home / ".repl/keys/aws-us-east-1.pem"
    assert key.read_text() == PEM + "\n" and mode(key) == 0o600 and mode(key.parent) == 0o700
    assert len(keys.calls("GET", "/v1/keys/")) == 1  # once per region
    assert (
        "\nHost repl-r1\n    HostName 54.1.2.3\n    User ubuntu\n    IdentityFile ~/.repl/keys/aws-us-east-1.pem\n"
        "    IdentitiesOnly yes\n    StrictHostKeyChecking accept-new\n"
        "    UserKnownHostsFile ~/.repl/known_hosts\n    HostKeyAlias i-0abc\n\n") in (home / ".repl/ssh_config").read_text()
    assert "repl-r3" not in (home / ".repl/ssh_config").read_text()


def test_a_tailscale_instance_is_reached_by_its_tailnet_name_without_a_key(repl_main, keys, home):
    keys.instances = [instance(tailscale_hostname="repl-r1.tail1234.ts.net", public_ip=None)]
    assert repl_main("ssh-config", server=keys).exit_code == 0
    entry = (home / ".repl/ssh_config").read_text()
    assert "HostName repl-r1.tail1234.ts.net\n" in entry and "IdentityFile" not in entry
    assert keys.calls("GET", "/v1/keys/") == []


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
    keys.fail("GET", "/v1/keys/us-east-1", Conflict("region: ... `aws ec2 delete-key-pair ...`", field="region"))
    result = repl_main("ssh-config", "--json", server=keys)
    summary = json.loads(result.stdout)
    assert result.exit_code == 0 and summary["hosts"] == ["repl-r2"]
    assert summary["skipped"] == [{"run_id": "r1", "instance_id": "i-0abc",
                                   "reason": "region: ... `aws ec2 delete-key-pair ...`"}]


def test_ssh_execs_ssh_with_the_key_and_the_command(repl_main, keys, home, execs):
    keys.instances = [instance()]
    assert repl_main("ssh", "r1", "--", "uptime", "-p", server=keys).exit_code == 0
    key, known = home / ".repl/keys/aws-us-east-1.pem", home / ".repl/known_hosts"
    assert execs == [("ssh", ["ssh", "-i", str(key), "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
                              "-o", f"UserKnownHostsFile={known}", "-o", "HostKeyAlias=i-0abc", "ubuntu@54.1.2.3",
                              "uptime", "-p"])]
    assert mode(key) == 0o600


def test_ssh_finds_by_instance_id_and_goes_over_tailscale_when_it_can(repl_main, keys, execs):
    keys.instances = [instance(tailscale_hostname="repl-r1.tail1234.ts.net")]
    assert repl_main("ssh", "i-0abc", server=keys).exit_code == 0
    argv = execs[0][1]
    assert "-i" not in argv and argv[-1] == "ubuntu@repl-r1.tail1234.ts.net"


def test_ssh_to_a_run_that_is_not_running_says_its_status(repl_main, keys, execs):
    keys.script("r9", status="succeeded")
    assert repl_main("ssh", "r9", server=keys) == (1, "", "repl: run r9 is not running (succeeded)\n")
    keys.instances = [instance("r8", state="pending")]
    keys.script("r8", status="booting")
    assert repl_main("ssh", "repl-r8", server=keys).stderr == "repl: run r8 is not running (booting)\n"
    assert execs == []


def test_ssh_without_a_public_ip_or_to_an_unknown_run_fails_clearly(repl_main, keys, execs):
    keys.instances = [instance(public_ip=None)]
    result = repl_main("ssh", "r1", server=keys)
    assert result.exit_code == 1 and "instance i-0abc of run r1 has no public IP" in result.stderr
    unknown = repl_main("ssh", "r404", server=keys)
    assert unknown.exit_code == 1 and "no run or live instance r404" in unknown.stderr
    assert execs == []
