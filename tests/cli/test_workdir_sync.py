"""`repl run` ships its working directory: offered by hash, uploaded only when the control plane
lacks it (to the presigned URL, without the user's credentials), never ~/.repl."""
import hashlib
import io
import tarfile

import pytest

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


def test_this_directory_is_the_default_and_home_config_never_goes(repl_main, plane, home, monkeypatch):
    (home / "notes.txt").write_text("n")
    (home / ".repl").mkdir(exist_ok=True)
    (home / ".repl" / "keys.pem").write_text("KEY")
    monkeypatch.chdir(home)
    plane.script("r1", step("running"))
    plane.upload_url = plane.url + "/put"
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", "--workdir", ".", server=plane)
    assert result.exit_code == 0, result.stderr
    with tarfile.open(fileobj=io.BytesIO(plane.uploads[0][2])) as tar:
        assert tar.getnames() == ["notes.txt"]


@pytest.mark.parametrize("layout, reason", [
    ({"notes.txt": "n"}, "it is the home directory"),
    ({"proj/.aws/credentials": "[default]", "proj/main.py": ""}, "it holds .aws/"),
    ({"proj/deploy/.ssh/id_ed25519": "KEY", "proj/main.py": ""}, "it holds .ssh/"),
    ({"proj/certs/server.pem": "KEY", "proj/main.py": ""}, "certs/server.pem"),
])
def test_a_directory_that_looks_like_credentials_is_refused_unless_named(repl_main, plane, home, monkeypatch,
                                                                           layout, reason):
    for rel, text in layout.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(text)
    where = home / "proj" if (home / "proj").exists() else home
    monkeypatch.chdir(where)
    plane.script("r1", step("running"))
    plane.upload_url = plane.url + "/put"
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", server=plane)
    assert result.exit_code == 2 and plane.calls("POST") == [] and plane.uploads == []
    assert result.stderr.startswith(f"repl: the working directory {where} was not shipped: ") and reason in result.stderr
    assert "--workdir" in result.stderr and "--no-sync" in result.stderr and ".replignore" in result.stderr
    named = repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", "--workdir", str(where), server=plane)
    assert named.exit_code == 0, named.stderr  # named: the user meant it


def test_secrets_the_ignore_rules_keep_behind_are_no_reason_to_refuse(repl_main, plane, home, monkeypatch):
    for rel in ("proj/.gitignore", "proj/main.py", "proj/.aws/config", "proj/key.pem"):
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(".aws/\n*.pem\n" if rel.endswith(".gitignore") else "")
    monkeypatch.chdir(home / "proj")
    plane.script("r1", step("running"))
    plane.upload_url = plane.url + "/put"
    assert repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", server=plane).exit_code == 0
    with tarfile.open(fileobj=io.BytesIO(plane.uploads[0][2])) as tar:
        assert tar.getnames() == [".gitignore", "main.py"]


def test_an_unchanged_tree_is_not_uploaded_and_goes_unsaid(repl_main, plane, home):
    plane.script("r1", step("running"))
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--detach", server=plane)
    assert result == (0, "r1\n", "") and plane.uploads == [] and len(plane.calls("POST", "/v1/workdirs")) == 1


def test_a_workdir_that_is_not_a_directory_is_refused_before_anything_is_sent(repl_main, plane, home):
    result = repl_main("run", "--spec", "t3.micro", "-c", "true", "--workdir", str(home / "nope"), server=plane)
    assert result.exit_code == 2 and "--workdir:" in result.stderr and "is not a directory" in result.stderr
    assert plane.calls("POST") == []
