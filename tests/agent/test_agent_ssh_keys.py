"""agent/ssh_keys.py: the run owner's keys in authorized_keys, in a block of the agent's own, with sshd's
expiry-time; expired lines out at the next tick, all of them at the run's end; foreign lines kept."""
import os
import stat
import time

import pytest

from agent.ssh_keys import BEGIN, END, AuthorizedKeys, render

T0 = 1_795_000_000  # 2026-11-18T08:26:40Z
ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC7JbWvVbR1GZOjCpp3s1TqXj7q0b0v5N3mDmXlH0qZr"
RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDdXU"
CLOUD_INIT = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 skyrepl-us-east-1"


def iso(epoch_s: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch_s))


def sshd_time(epoch_s: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.localtime(epoch_s))  # how sshd reads expiry-time


class Clock:
    def __init__(self, now: float = T0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(authorized_keys):
    return authorized_keys  # conftest's: where the agents the tests start write too


def test_keys_go_in_a_block_of_their_own_with_expiry_time_and_foreign_lines_stay(path):
    path.parent.mkdir(parents=True)
    path.write_text("# my own\n" + CLOUD_INIT + "\n")
    keys = AuthorizedKeys(str(path), now=Clock())
    keys.replace([{"public_key": ED, "expires_at": iso(T0 + 600)}], "r8k2m9xq1d")
    assert path.read_text() == ("# my own\n" + CLOUD_INIT + "\n" + BEGIN + "\n"
                                + f'expiry-time="{sshd_time(T0 + 600)}" {ED} # skyrepl r8k2m9xq1d\n' + END + "\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_ssh_directory_is_made_0700_and_the_file_0600(path):
    AuthorizedKeys(str(path), now=Clock()).replace([{"public_key": ED, "expires_at": iso(T0 + 60)}], "r1")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["authorized_keys"]  # no temporary file left


def test_an_expired_key_is_removed_at_the_next_tick_and_the_rest_stays(path):
    path.parent.mkdir(parents=True)
    path.write_text(CLOUD_INIT + "\n")
    clock = Clock()
    keys = AuthorizedKeys(str(path), now=clock)
    keys.replace([{"public_key": ED, "expires_at": iso(T0 + 10)}, {"public_key": RSA, "expires_at": iso(T0 + 100)}])
    assert ED in path.read_text() and RSA in path.read_text()
    clock.now = T0 + 11
    keys.tick()
    assert ED not in path.read_text() and RSA in path.read_text() and path.read_text().startswith(CLOUD_INIT)


def test_at_the_end_every_line_of_ours_goes_and_only_those(path):
    path.parent.mkdir(parents=True)
    stray = f'expiry-time="20261118082640" {ED} # skyrepl r0'  # one of ours outside the block (a hand edit)
    path.write_text(f"{CLOUD_INIT}\n{stray}\n{BEGIN}\nssh-ed25519 AAAAuser's own\n{END}\n")
    keys = AuthorizedKeys(str(path), now=Clock())
    keys.replace([{"public_key": RSA, "expires_at": iso(T0 + 100)}], "r1")
    keys.clear()
    assert path.read_text() == f"{CLOUD_INIT}\nssh-ed25519 AAAAuser's own\n"  # a line not ours is kept


def test_a_new_list_replaces_the_one_before(path):
    keys = AuthorizedKeys(str(path), now=Clock())
    keys.replace([{"public_key": ED, "expires_at": iso(T0 + 100)}])
    keys.replace([{"public_key": RSA, "expires_at": iso(T0 + 100)}])
    assert ED not in path.read_text() and path.read_text().count("# skyrepl\n") == 1


@pytest.mark.parametrize("entry", [
    {"public_key": 'command="sh" ' + ED, "expires_at": iso(T0 + 100)},
    {"public_key": ED + "\nssh-rsa AAAA", "expires_at": iso(T0 + 100)},
    {"public_key": "ssh-dss AAAAB3NzaC1kc3M", "expires_at": iso(T0 + 100)},
    {"public_key": ED, "expires_at": "2026-11-18 08:26:40"}, {"public_key": ED}, "ssh-ed25519 AAAA", None])
def test_a_malformed_entry_is_never_written(path, entry):
    AuthorizedKeys(str(path), now=Clock()).replace([entry], "r1")
    assert not path.exists()


def test_an_agent_that_never_had_keys_never_touches_the_file(path):
    path.parent.mkdir(parents=True)
    path.write_text(f"{CLOUD_INIT}\n{BEGIN}\n{END}\n")  # even one with an old block of ours
    keys = AuthorizedKeys(str(path), now=Clock())
    keys.tick()
    keys.clear()
    assert path.read_text() == f"{CLOUD_INIT}\n{BEGIN}\n{END}\n"


def test_a_symlinked_file_is_left_alone(path, tmp_path):
    path.parent.mkdir(parents=True)
    (tmp_path / "elsewhere").write_text("secret\n")
    path.symlink_to(tmp_path / "elsewhere")
    AuthorizedKeys(str(path), now=Clock()).replace([{"public_key": ED, "expires_at": iso(T0 + 100)}])
    assert path.is_symlink() and (tmp_path / "elsewhere").read_text() == "secret\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_as_root_the_files_belong_to_the_homes_owner(path):
    path.parent.parent.mkdir(parents=True)
    os.chown(path.parent.parent, 65534, 65534)  # nobody's home
    AuthorizedKeys(str(path), now=Clock()).replace([{"public_key": ED, "expires_at": iso(T0 + 100)}])
    assert (path.stat().st_uid, path.parent.stat().st_uid, path.stat().st_gid) == (65534, 65534, 65534)


def test_render_keeps_a_file_without_a_final_newline_whole():
    assert render(CLOUD_INIT, [(ED, T0)], "r1").startswith(CLOUD_INIT + "\n" + BEGIN + "\n")


def test_the_agent_installs_the_event_then_removes_its_lines_when_the_run_ends(plane, start_agent, path):
    target = path
    target.parent.mkdir(parents=True)
    target.write_text(CLOUD_INIT + "\n")
    deadline_ms = int((time.time() + 30) * 1000)
    plane.add_event("start_run", {"run_id": "r1", "command": "sleep 2", "deadline_ms": deadline_ms})
    plane.add_event("ssh_keys", {"run_id": "r1", "keys": [{"public_key": ED, "expires_at": iso(time.time() + 600)}]})
    start_agent()
    plane.wait_for(lambda: ED in target.read_text())
    assert f"{ED} # skyrepl r1\n" in target.read_text() and 'expiry-time="' in target.read_text()
    plane.wait_for(plane.exited)
    plane.wait_for(lambda: target.read_text() == CLOUD_INIT + "\n")


def test_a_kept_run_s_keys_stay_after_its_command_for_the_user_to_log_in(plane, start_agent, path):
    path.parent.mkdir(parents=True)
    path.write_text(CLOUD_INIT + "\n")
    deadline_ms = int((time.time() + 30) * 1000)
    plane.add_event("start_run", {"run_id": "r1", "command": "true", "deadline_ms": deadline_ms, "keep_alive": True})
    plane.add_event("ssh_keys", {"run_id": "r1", "keys": [{"public_key": ED, "expires_at": iso(time.time() + 600)}]})
    start_agent()
    plane.wait_for(plane.exited)
    polls = len(plane.bodies("/v1/agent/events"))
    plane.wait_for(lambda: len(plane.bodies("/v1/agent/events")) >= polls + 3)  # turns of the loop after the exit
    assert f"{ED} # skyrepl r1\n" in path.read_text()
