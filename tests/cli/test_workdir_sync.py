"""`repl run` ships its working directory: offered by hash, uploaded only when the control plane
lacks it (to the presigned URL, without the user's credentials), never ~/.repl."""
import hashlib
import io
import tarfile

from tests.cli.conftest import step


def test_a_new_tree_is_uploaded_to_the_presigned_url_and_the_run_names_it(repl_main, plane, home):
    (home / "proj").mkdir()
    (home / "proj" / "train.py").write_text("print('hi')\n")
    (home / ".repl").mkdir(exist_ok=True)
    (home / ".repl" / "secret.pem").write_text("KEY")
    plane.script("r1", step("running"))
    plane.upload_url = plane.url + "/presigned/put?X-Amz-Signature=abc"
    result = repl_main("run", "--spec", "t3.micro", "-c", "python3 train.py", "--detach", "--workdir",
                       str(home / "proj"), server=plane)
    assert result.exit_code == 0, result.stderr
    [(path, headers, raw)] = plane.uploads
    assert path == "/presigned/put?X-Amz-Signature=abc" and "Authorization" not in headers
    offered = plane.calls("POST", "/v1/workdirs")[0]["body"]
    assert offered == {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
    assert plane.calls("POST", "/v1/runs")[0]["body"]["workdir"] == {"sha256": offered["sha256"]}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        assert tar.getnames() == ["train.py"]
    assert f"[repl] workdir {home / 'proj'}: 1 file, " in result.stderr and "uploaded" in result.stderr


def test_this_directory_is_the_default_and_home_config_never_goes(repl_main, plane, home):
    (home / "notes.txt").write_text("n")
    (home / ".repl").mkdir(exist_ok=True)
    (home / ".repl" / "keys.pem").write_text("KEY")
    plane.script("r1", step("running"))
    plane.upload_url = plane.url + "/put"
    assert repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", server=plane).exit_code == 0
    with tarfile.open(fileobj=io.BytesIO(plane.uploads[0][2])) as tar:
        assert tar.getnames() == ["notes.txt"]


def test_an_unchanged_tree_is_not_uploaded_and_goes_unsaid(repl_main, plane, home):
    plane.script("r1", step("running"))
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", server=plane)
    assert result == (0, "r1\n", "") and plane.uploads == [] and len(plane.calls("POST", "/v1/workdirs")) == 1


def test_a_workdir_that_is_not_a_directory_is_refused_before_anything_is_sent(repl_main, plane, home):
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--workdir", str(home / "nope"), server=plane)
    assert result.exit_code == 2 and "--workdir:" in result.stderr and "is not a directory" in result.stderr
    assert plane.calls("POST") == []
