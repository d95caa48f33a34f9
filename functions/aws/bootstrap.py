"""The user-data script: write the instance token, fetch the agent from the API, start it (protocol.md §3).

In production cloud-init runs it as root; the embedded instance emulator runs it as a plain
subprocess with SKYREPL_ROOT and SKYREPL_PYTHON set. The API URL and the token are data: both are
shell-quoted, and the token is written with the `printf` builtin (never on a command line of its
own process, never echoed, and cloud-init's output log never sees it).
"""
import shlex

AGENT_FETCH_SECONDS = 300  # the API may be briefly unreachable while the VM boots: keep trying this long
RETRY_SECONDS = 5

# Python 3.8-compatible (focal), stdlib only: Ubuntu images have python3 but not always curl.
_FETCH = """\
import base64, sys, time, urllib.error, urllib.request
root, url = sys.argv[1], sys.argv[2]
with open(root + "/token") as f:
    token = f.read().strip()
deadline = time.time() + {fetch_seconds}
while True:
    try:
        req = urllib.request.Request(url + "/v1/agent/code", headers={{"Authorization": "Bearer " + token}})
        with urllib.request.urlopen(req, timeout=30) as res:
            body = res.read()
        break
    except Exception as err:
        # a refused token or a wrong URL will not heal by waiting
        if isinstance(err, urllib.error.HTTPError) and err.code in (401, 403, 404):
            sys.exit("skyrepl: the API refused the agent download: %s" % err)
        if time.time() > deadline:
            sys.exit("skyrepl: cannot fetch the agent from %s: %s" % (url, err))
        time.sleep({retry_seconds})
with open(root + "/agent.zip", "wb") as f:
    f.write(base64.b64decode(body))
"""

_SCRIPT = """\
#!/bin/bash
# SkyREPL bootstrap: fetch the agent from the control plane and start it.
set -eu
ROOT="${{SKYREPL_ROOT:-/opt/skyrepl}}"
PY="${{SKYREPL_PYTHON:-python3}}"
umask 077
mkdir -p -m 0700 "$ROOT" "$ROOT/work"
printf '%s\\n' {token} > "$ROOT/token"
chmod 0600 "$ROOT/token"
{tailscale}"$PY" - "$ROOT" {api_url} <<'SKYREPL_FETCH'
{fetch}SKYREPL_FETCH
exec "$PY" "$ROOT/agent.zip" --api-url {api_url} --token-file "$ROOT/token" --workdir "$ROOT/work"
"""


# Optional: join the tailnet in the background, best effort, while the agent is fetched and started.
# The auth key is written (printf builtin) to a 0600 file that `tailscale up --auth-key=file:PATH`
# reads, and deleted when `tailscale up` returns. SKYREPL_TAILSCALE=off (the embedded emulator) skips
# it all: nothing is downloaded or joined.
_TAILSCALE = """\
if [ "${{SKYREPL_TAILSCALE:-on}}" != "off" ]; then
  printf '%s\\n' {auth_key} > "$ROOT/tailscale-key"
  chmod 0600 "$ROOT/tailscale-key"
  (
    set +e
    trap 'rm -f "$ROOT/tailscale-key"' EXIT
    for i in 1 2 3; do
      command -v tailscale >/dev/null 2>&1 && break
      [ "$i" = 1 ] || sleep {retry_seconds}
      curl -fsSL https://tailscale.com/install.sh | sh
    done
    for i in 1 2 3; do
      tailscale up --auth-key="file:$ROOT/tailscale-key" --hostname={hostname} --ssh --timeout=120s && break
      sleep {retry_seconds}
    done
  ) >>"$ROOT/tailscale.log" 2>&1 </dev/null &
fi
"""


def user_data(api_url: str, token: str, tailscale: dict | None = None) -> str:
    """`tailscale`, when given: {"auth_key": ..., "hostname": ...} (functions/tailscale/membership.py)."""
    fetch = _FETCH.format(fetch_seconds=AGENT_FETCH_SECONDS, retry_seconds=RETRY_SECONDS)
    join = _TAILSCALE.format(auth_key=shlex.quote(tailscale["auth_key"]), hostname=shlex.quote(tailscale["hostname"]),
                             retry_seconds=RETRY_SECONDS) if tailscale else ""
    return _SCRIPT.format(token=shlex.quote(token), api_url=shlex.quote(api_url.rstrip("/")), fetch=fetch,
                          tailscale=join)
