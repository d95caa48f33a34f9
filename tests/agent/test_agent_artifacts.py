"""Artifacts: when the command ends, however it ends, the files its globs match are PUT to the URLs
the control plane answers (the fake plane stores them), before the exit report and within a limit."""
import os
import time

from agent import artifacts, globs
from agent.client import ApiClient
from agent_plane import SESSION

WRITE = ("mkdir -p out/sub && printf 'a\\0b\\377' > out/a.bin && echo nested > out/sub/b.txt && "
         "echo log > run.txt && echo no > other.dat")


def start(plane, start_agent, command, globs, **data):
    plane.add_event("start_run", dict({"run_id": "r1", "command": command, "deadline_ms": None,
                                       "artifacts": globs}, **data))
    return start_agent()


def exited_after_uploads(plane) -> dict:
    exited = plane.wait_for(plane.exited)
    paths = plane.paths()
    assert paths.index("/v1/agent/artifacts") < paths.index("/v1/agent/status", paths.index("/v1/agent/artifacts"))
    return exited


def test_the_matched_files_arrive_byte_identical_before_the_exit_report(plane, start_agent):
    start(plane, start_agent, WRITE, ["out", "*.txt"])
    assert exited_after_uploads(plane)["exit_code"] == 0
    assert plane.stored == {"out/a.bin": b"a\0b\xff", "out/sub/b.txt": b"nested\n", "run.txt": b"log\n"}
    [offer] = plane.bodies("/v1/agent/artifacts")
    assert offer == {"run_id": "r1", "files": [{"path": "out/a.bin", "size": 4}, {"path": "out/sub/b.txt", "size": 7},
                                               {"path": "run.txt", "size": 4}]}
    assert plane.output("stderr") == ""  # nothing to say when all went well


def test_a_failed_command_still_gives_its_artifacts(plane, start_agent):
    start(plane, start_agent, "echo partial > result.txt; exit 3", ["result.txt"])
    assert exited_after_uploads(plane)["exit_code"] == 3 and plane.stored == {"result.txt": b"partial\n"}


def test_a_cancelled_command_gives_what_it_wrote(plane, start_agent):
    start(plane, start_agent, "echo so-far > ckpt.txt; sleep 30", ["ckpt.txt"])
    plane.wait_for(lambda: "started" in [b.get("status") for b in plane.bodies("/v1/agent/status")])
    time.sleep(0.3)  # the file is written
    plane.add_event("cancel_run", {"run_id": "r1"})
    assert exited_after_uploads(plane)["cancelled"] is True and plane.stored == {"ckpt.txt": b"so-far\n"}


def test_a_timed_out_command_gives_what_it_wrote(plane, start_agent):
    start(plane, start_agent, "echo so-far > ckpt.txt; sleep 30", ["*.txt"], deadline_ms=(time.time() + 1.5) * 1000)
    assert exited_after_uploads(plane)["timed_out"] is True and plane.stored == {"ckpt.txt": b"so-far\n"}


def test_a_glob_matching_nothing_is_said_and_nothing_is_offered(plane, start_agent):
    start(plane, start_agent, "true", ["missing/*.csv"])
    assert plane.wait_for(plane.exited)["exit_code"] == 0
    assert "/v1/agent/artifacts" not in plane.paths()
    assert plane.output("stderr") == "skyrepl-agent: --artifacts 'missing/*.csv' matched no file\n"


def test_a_refused_offer_and_a_failed_put_are_said_and_the_run_still_reports(plane, start_agent):
    plane.fail_next("/s3/a.txt", 500)
    start(plane, start_agent, "echo a > a.txt; echo b > b.txt", ["*.txt"])
    assert plane.wait_for(plane.exited)["exit_code"] == 0 and plane.stored == {"b.txt": b"b\n"}
    assert plane.output("stderr").startswith("skyrepl-agent: artifact a.txt not uploaded: HTTP Error 500")


def test_nothing_outside_the_working_directory_is_found_even_by_symlink(tmp_path):
    root, outside = tmp_path / "work", tmp_path / "secret.txt"
    (root / "d").mkdir(parents=True)
    outside.write_text("not yours")
    (root / "d" / "ok.txt").write_text("ok")
    os.symlink(str(outside), str(root / "d" / "link.txt"))
    os.symlink(str(tmp_path), str(root / "up"))
    found, unmatched = globs.find(str(root), ["d/*.txt", "up/**", "../secret.txt"])
    assert [f.path for f in found] == ["d/ok.txt"] and unmatched == ["up/**", "../secret.txt"]


def test_the_upload_stops_at_its_limit_and_says_how_far_it_got(plane, tmp_path):
    (tmp_path / "big.bin").write_bytes(b"x" * 10)
    plane.put_delay = 2.0
    said, started = [], time.monotonic()
    client = ApiClient(plane.url, SESSION)
    artifacts.upload(client, "r1", str(tmp_path), ["*.bin"], time.time() + 0.3, lambda s, t: said.append(t))
    assert time.monotonic() - started < 1.5
    assert said == ["skyrepl-agent: artifacts: time ran out after 0 of 1 files\n"]


def test_a_file_grown_since_it_was_offered_is_sent_at_its_offered_size(plane, tmp_path):
    path = tmp_path / "growing.log"
    path.write_bytes(b"12345")
    [found], _ = globs.find(str(tmp_path), ["*.log"])
    path.write_bytes(b"1234567890")
    assert artifacts._put(plane.url + "/s3/growing.log", found) is None
    assert plane.stored == {"growing.log": b"12345"}


def test_the_limit_keeps_the_instance_inside_its_deadline_cancel_and_spot_notice():
    now, cancel = 1000.0, 10.0
    assert artifacts.limit(now, None, None, None, None, cancel) == now + artifacts.NO_DEADLINE_SECONDS
    assert artifacts.limit(now, 1_100_000, None, None, None, cancel) == 1110.0
    assert artifacts.limit(now, 1_100_000, "timed_out", now, None, cancel) == 1110.0
    assert artifacts.limit(now, 1_100_000, "cancelled", 995.0, None, cancel) == 1005.0
    assert artifacts.limit(now, None, "interrupted", None, 1030.0, cancel) == 1025.0
    assert artifacts.limit(now, None, "stopped", now, None, cancel) == now  # the agent is going away


def test_the_deadline_allowance_ends_before_the_control_planes_backstop():
    from functions.core.states import AGENT_REPORT_GRACE_SECONDS
    assert artifacts.AFTER_DEADLINE_SECONDS + 3 <= AGENT_REPORT_GRACE_SECONDS  # 3 s for the exit report


def test_globs_keep_globs_rules(tmp_path):
    for name in ("a.txt", "sub/b.txt", "sub/deep/c.txt", ".hidden.txt", ".git/config", "out/x.bin"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)

    def paths(*patterns):
        return [f.path for f in globs.find(str(tmp_path), patterns)[0]]

    assert paths("*.txt") == ["a.txt"]  # * stays within its directory
    assert paths("**/*.txt") == ["a.txt", "sub/b.txt", "sub/deep/c.txt"]  # ** is any depth, dotfiles left out
    assert paths(".hidden.txt", ".git") == [".git/config", ".hidden.txt"]  # ...unless named
    assert paths("sub") == ["sub/b.txt", "sub/deep/c.txt"]  # a directory: everything in it
    assert paths("s?b/deep/[a-c].txt") == ["sub/deep/c.txt"]
    assert paths("**") == ["a.txt", "out/x.bin", "sub/b.txt", "sub/deep/c.txt"]


def test_a_large_upload_is_announced_and_a_small_one_is_not(plane, tmp_path, monkeypatch):
    (tmp_path / "a.bin").write_bytes(b"x" * 1500)
    said = []
    client = ApiClient(plane.url, SESSION)
    artifacts.upload(client, "r1", str(tmp_path), ["*.bin"], time.time() + 10, lambda s, t: said.append(t))
    monkeypatch.setattr(artifacts, "SAY_UPLOADING_BYTES", 1000)
    artifacts.upload(client, "r1", str(tmp_path), ["*.bin"], time.time() + 10, lambda s, t: said.append(t))
    assert said == ["skyrepl-agent: uploading 1 artifact (0.0 MB)\n"] and plane.stored == {"a.bin": b"x" * 1500}
