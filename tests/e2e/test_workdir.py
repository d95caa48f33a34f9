"""Workdir sync on the embedded stack: the command imports a module from the synced directory, and
an unchanged tree is not uploaded twice (the emulated S3 is the witness)."""
import boto3

from local import deploy
from tests.e2e.test_run import SPEC


def archives(repl) -> dict:
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=repl.state()["aws_endpoint"],
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    listed = s3.list_objects_v2(Bucket=deploy.RUN_FILES_BUCKET).get("Contents", [])
    return {o["Key"]: o["LastModified"] for o in listed if o["Key"].startswith("workdirs/")}


def test_the_command_imports_from_the_synced_directory_and_an_unchanged_tree_is_not_uploaded_again(repl):
    project = repl.home / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "answer.py").write_text("VALUE = 'from the synced tree'\n")
    (project / ".gitignore").write_text("*.bin\n")
    (project / "huge.bin").write_bytes(b"\0" * 1024)
    command = 'python3 -c "from pkg.answer import VALUE; print(VALUE)"; ls'
    before = archives(repl)  # the other tests' runs sync their directory too
    first = repl("run", *SPEC, "--workdir", str(project), "-c", command)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "from the synced tree\npkg\n" and "uploaded" in first.stderr
    stored = archives(repl)
    second = repl("run", *SPEC, "--workdir", str(project), "-c", command)
    assert (second.returncode, second.stdout) == (0, first.stdout) and "uploaded" not in second.stderr
    assert archives(repl) == stored and len(set(stored) - set(before)) == 1
