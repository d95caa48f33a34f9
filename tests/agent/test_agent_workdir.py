"""The synced working directory on the instance: fetched with its presigned URL (a real local HTTP
server here), checked against its SHA-256, unpacked safely, and the command's cwd."""
import hashlib
import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local.http_reply import reply


def archive(files: dict, links: dict = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buf.getvalue()


@pytest.fixture
def bucket():
    """A stand-in for S3 behind a presigned URL: serves /archive, records who asked with what."""
    served = {"body": b"", "headers": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served["headers"].append(dict(self.headers))
            reply(self, 200, served["body"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    served["url"] = "http://127.0.0.1:{}/archive?X-Amz-Signature=x".format(server.server_address[1])
    yield served
    server.shutdown()
    server.server_close()


def start(plane, start_agent, bucket, body: bytes, command: str, sha256: str = None):
    bucket["body"] = body
    plane.add_event("start_run", {"run_id": "r1", "command": command, "deadline_ms": None,
                                  "archive": {"url": bucket["url"], "sha256": sha256 or hashlib.sha256(body).hexdigest()}})
    start_agent()
    return plane.wait_for(plane.exited)


def test_the_command_runs_inside_the_unpacked_tree(plane, start_agent, bucket):
    body = archive({"mod/__init__.py": "", "mod/greet.py": "WHO = 'synced'\n", "data/x.txt": "42"})
    exited = start(plane, start_agent, bucket, body, 'python3 -c "from mod.greet import WHO; print(WHO)"; cat data/x.txt')
    assert exited["exit_code"] == 0 and plane.output("stdout") == "synced\n42"
    assert "Authorization" not in bucket["headers"][0]  # the instance token never goes to S3


def test_an_archive_whose_hash_differs_is_refused(plane, start_agent, bucket):
    exited = start(plane, start_agent, bucket, archive({"a": "1"}), "echo ran", sha256="0" * 64)
    assert exited["exit_code"] == 127 and plane.output("stdout") == ""
    assert "the synced working directory: the archive's SHA-256 is" in plane.output("stderr")


@pytest.mark.parametrize("files, links", [({"../escape.txt": "x"}, None), ({"/tmp/abs.txt": "x"}, None),
                                          ({"ok.txt": "x"}, {"link": "/etc/passwd"})])
def test_nothing_outside_the_tree_and_no_links_are_unpacked(plane, start_agent, bucket, tmp_path, files, links):
    exited = start(plane, start_agent, bucket, archive(files, links), "echo ran")
    assert exited["exit_code"] == 127 and "refusing" in plane.output("stderr")
    assert not (tmp_path / "escape.txt").exists()
