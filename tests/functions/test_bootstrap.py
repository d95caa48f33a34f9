"""The user-data script: valid bash, the token kept out of logs, the URL treated as data, and it works."""
import base64
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from functions.aws.bootstrap import user_data

TOKEN = "kabcdefghijklmno.S3cr3t-_token"
# a fake agent: records how it was started
AGENT_MAIN = "import json, os, sys\njson.dump(sys.argv[1:], open(os.environ['ARGV_OUT'], 'w'))\n"


@pytest.fixture
def api():
    """A stand-in API serving the agent zip on GET <anything>/v1/agent/code (401 for another token)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("__main__.py", AGENT_MAIN)
    body, seen = base64.b64encode(buf.getvalue()), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers["Authorization"]))
            ok = self.path.endswith("/v1/agent/code") and self.headers["Authorization"] == f"Bearer {TOKEN}"
            self.send_response(200 if ok else 401)
            self.end_headers()
            self.wfile.write(body if ok else b"no")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def run(script: str, tmp_path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "SKYREPL_ROOT": str(tmp_path / "root"), "SKYREPL_PYTHON": sys.executable,
           "ARGV_OUT": str(tmp_path / "argv.json")}
    return subprocess.run(["bash", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)


def test_the_script_is_small_valid_bash():
    script = user_data("https://abc.execute-api.us-east-1.amazonaws.com/prod/", TOKEN)
    assert script.startswith("#!/bin/bash\n") and "set -eu" in script
    assert len(script.encode()) < 4 * 1024  # bytes; EC2 takes up to 16 KiB of user-data
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0
    assert "curl" not in script and "--api-url https://abc.execute-api.us-east-1.amazonaws.com/prod " in script


def test_the_token_is_only_written_to_its_file_never_echoed():
    script = user_data("https://api.example", TOKEN)
    lines = [line for line in script.splitlines() if TOKEN in line]
    assert len(lines) == 1 and lines[0].startswith("printf ") and lines[0].endswith('> "$ROOT/token"')
    assert "echo" not in script and "set -x" not in script


def test_it_fetches_the_agent_and_starts_it_with_the_token_file(api, tmp_path):
    url, seen = api
    done = run(user_data(url, TOKEN), tmp_path)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "root"
    assert json.loads((tmp_path / "argv.json").read_text()) == [
        "--api-url", url, "--token-file", f"{root}/token", "--workdir", f"{root}/work"]
    assert (root / "token").read_text().strip() == TOKEN and TOKEN not in done.stdout + done.stderr
    assert (root / "token").stat().st_mode & 0o777 == 0o600 and root.stat().st_mode & 0o777 == 0o700
    assert seen == [("/v1/agent/code", f"Bearer {TOKEN}")]


def test_a_hostile_url_stays_data(api, tmp_path):
    url, seen = api
    hostile = url + "/x'\"$(touch${IFS}pwned1)`touch${IFS}pwned2`;touch${IFS}pwned3;'"
    done = run(user_data(hostile, TOKEN), tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "argv.json").read_text())[1] == hostile
    assert not list(tmp_path.glob("pwned*"))


def test_a_refused_token_fails_fast_without_starting_anything(api, tmp_path):
    url, _ = api
    done = run(user_data(url, "kother.token"), tmp_path)
    assert done.returncode != 0 and "refused" in done.stderr
    assert not (tmp_path / "argv.json").exists()
