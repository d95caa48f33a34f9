"""`repl artifact list|download`: a run's uploaded files, fetched from their presigned URLs (which the
fake plane serves itself), each checked before it is put in place (`repl run --artifacts`: test_run_artifacts.py)."""
import hashlib
import json

import pytest

from tests.cli.conftest import closed_port

CSV, MODEL = b"a,b\n1,2\n", bytes(range(256)) * 10  # 8 B and 2560 B


@pytest.fixture
def uploaded(plane):
    """Run r1 with two artifacts, one of them nested."""
    plane.script("r1", ("succeeded", []))
    plane.bucket.put("r1", "out/a.csv", CSV)
    plane.bucket.put("r1", "model.pt", MODEL)
    return plane


def files_under(root) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fetched(plane) -> list:
    return [r["path"] for r in plane.calls("GET", "/files/")]


def test_list_is_a_table_of_paths_sizes_and_times(repl_main, uploaded):
    assert repl_main("artifact", "list", "r1", server=uploaded) == (
        0, "PATH       SIZE    MODIFIED\n"
           "model.pt   2.6 KB  2026-11-26 17:01:12\n"
           "out/a.csv  8 B     2026-11-26 17:01:12\n", "")


def test_list_json_leaves_the_presigned_urls_out(repl_main, uploaded):
    result = repl_main("artifact", "list", "r1", "--json", server=uploaded)
    when = "2026-11-26T17:01:12Z"
    assert json.loads(result.stdout) == {"run_id": "r1", "artifacts": [
        {"path": "model.pt", "size": 2560, "md5": hashlib.md5(MODEL).hexdigest(), "modified_at": when},
        {"path": "out/a.csv", "size": 8, "md5": hashlib.md5(CSV).hexdigest(), "modified_at": when}]}
    assert "Signature" not in result.stdout


def test_no_artifacts_is_said_on_stderr_with_why_and_is_no_error(repl_main, plane, cwd):
    plane.script("r1")
    plane.script("r2", status="running", artifacts=["out/*"])
    plane.script("r3", status="succeeded", artifacts=["out/*", "*.pt"])
    assert repl_main("artifact", "list", "r1", server=plane) == (
        0, "", "[repl] no artifacts for run r1: it was started without --artifacts\n")
    assert repl_main("artifact", "download", "r2", server=plane) == (
        0, "", "[repl] no artifacts for run r2 yet: it is running, and its agent uploads them when the command ends\n")
    assert repl_main("artifact", "list", "r3", server=plane) == (
        0, "", "[repl] no artifacts for run r3: nothing matched out/*, *.pt (its stderr says more: repl run logs r3)\n")
    assert json.loads(repl_main("artifact", "list", "r1", "--json", server=plane).stdout)["artifacts"] == []
    assert files_under(cwd) == {}


@pytest.mark.parametrize("action", ["list", "download"])
def test_an_unknown_run_is_not_found(repl_main, plane, action):
    assert repl_main("artifact", action, "nope", server=plane) == (1, "", "repl: run nope not found\n")


def test_artifact_alone_is_a_usage_error(repl_main):
    result = repl_main("artifact")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("usage: repl artifact") and "required: action" in result.stderr


def test_download_writes_each_file_byte_for_byte_under_the_current_directory(repl_main, uploaded, cwd):
    result = repl_main("artifact", "download", "r1", server=uploaded)
    assert result == (0, "model.pt  2.6 KB\nout/a.csv  8 B\n", f"[repl] downloaded 2 files (2.6 KB) to {cwd}\n")
    assert files_under(cwd) == {"model.pt": MODEL, "out/a.csv": CSV}  # and no temporary file left


def test_download_to_a_directory_with_json(repl_main, uploaded, cwd):
    result = repl_main("artifact", "download", "r1", "--to", "res/r1", "--json", server=uploaded)
    assert json.loads(result.stdout) == {"run_id": "r1", "to": str(cwd / "res" / "r1"),
                                         "downloaded": ["model.pt", "out/a.csv"], "unchanged": []}
    assert files_under(cwd) == {"res/r1/model.pt": MODEL, "res/r1/out/a.csv": CSV}
    again = repl_main("artifact", "download", "r1", "--to", "res/r1", server=uploaded)
    assert again == (0, "", f"[repl] downloaded 0 files (0 B) to {cwd / 'res' / 'r1'}, 2 unchanged\n")


def test_identical_files_are_left_alone_and_counted_unchanged(repl_main, uploaded, cwd):
    (cwd / "out").mkdir()
    (cwd / "out" / "a.csv").write_bytes(CSV)
    result = repl_main("artifact", "download", "r1", server=uploaded)
    assert result == (0, "model.pt  2.6 KB\n", f"[repl] downloaded 1 file (2.6 KB) to {cwd}, 1 unchanged\n")
    assert fetched(uploaded) == ["/files/r1/model.pt"]


def test_a_file_that_differs_stops_everything_before_a_byte_is_fetched(repl_main, uploaded, cwd):
    (cwd / "out").mkdir()
    (cwd / "out" / "a.csv").write_bytes(b"mine\n")
    (cwd / "model.pt").write_bytes(b"old model")
    result = repl_main("artifact", "download", "r1", "--to", ".", server=uploaded)
    assert result == (1, "", "repl: ./model.pt exists and differs (and 1 more file); use --force to overwrite; "
                             "nothing downloaded\n")
    assert files_under(cwd) == {"out/a.csv": b"mine\n", "model.pt": b"old model"} and fetched(uploaded) == []


def test_force_overwrites_what_differs(repl_main, uploaded, cwd):
    (cwd / "out").mkdir()
    (cwd / "out" / "a.csv").write_bytes(b"mine\n")
    (cwd / "model.pt").write_bytes(b"old model")
    assert repl_main("artifact", "download", "r1", "--force", server=uploaded).exit_code == 0
    assert files_under(cwd) == {"model.pt": MODEL, "out/a.csv": CSV}


def test_without_an_md5_an_existing_file_counts_as_different(repl_main, plane, cwd):
    plane.script("r1")
    plane.bucket.put("r1", "multipart.bin", CSV, md5=None)  # S3's ETag of a multipart upload is no MD5
    (cwd / "multipart.bin").write_bytes(CSV)
    result = repl_main("artifact", "download", "r1", server=plane)
    assert result.exit_code == 1 and "multipart.bin exists and differs" in result.stderr
    assert repl_main("artifact", "download", "r1", "--force", server=plane).exit_code == 0


@pytest.mark.parametrize("lie, message", [
    ({"size": 9}, "got 8 bytes where the listing says 9"),
    ({"md5": "0" * 32}, f"its MD5 is {hashlib.md5(CSV).hexdigest()} where the listing says {'0' * 32}")])
def test_a_download_that_does_not_match_the_listing_leaves_nothing_behind(repl_main, plane, cwd, lie, message):
    plane.script("r1")
    plane.bucket.put("r1", "out/a.csv", CSV, **lie)
    result = repl_main("artifact", "download", "r1", server=plane)
    assert result == (1, "", f"repl: downloading out/a.csv: {message}; not written, run the command again\n")
    assert files_under(cwd) == {}


@pytest.mark.parametrize("path", ["../evil.txt", "out/../../evil.txt", "/tmp/evil.txt", "out/.."])
def test_a_path_that_leaves_the_directory_is_refused_and_nothing_is_written(repl_main, plane, cwd, path):
    plane.script("r1")
    plane.bucket.put("r1", "a.txt", CSV)
    plane.bucket.put("r1", path, CSV)
    result = repl_main("artifact", "download", "r1", "--to", "dl", server=plane)
    assert result == (1, "", f"repl: artifact path {path!r} would be written outside {cwd / 'dl'}; refused, "
                             "nothing downloaded\n")
    assert files_under(cwd) == {} and fetched(plane) == []


def test_an_http_error_on_the_link_is_a_clean_message(repl_main, uploaded, cwd):
    uploaded.fail("GET", "/files/r1/out/a.csv", status=403, raw={"Error": "AccessDenied"})
    result = repl_main("artifact", "download", "r1", server=uploaded)
    assert result.exit_code == 1 and result.stderr == (
        "repl: downloading out/a.csv: HTTP 403 (the link has expired? run the command again for fresh links)\n")
    assert files_under(cwd) == {"model.pt": MODEL}  # the one before it is in place; no partial file


def test_an_unreachable_link_is_a_clean_message(repl_main, plane, cwd):
    plane.script("r1")
    plane.bucket.put("r1", "a.txt", CSV, url=f"http://127.0.0.1:{closed_port()}/a.txt")
    result = repl_main("artifact", "download", "r1", server=plane)
    assert result == (1, "", "repl: downloading a.txt: Connection refused\n")
    assert files_under(cwd) == {}
