"""A small Tailscale API v2 client (stdlib urllib): auth keys for new instances, devices to remove.

Auth is the API access token as a Bearer token; the API also takes it as the username of HTTP Basic
(https://tailscale.com/api). 429 and 5xx answers and network errors are retried after 1, 2 and 4 s.
Every error is a TailscaleError whose message never holds the API key or an auth key.
"""
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from functions.tailscale.config import Config

RETRY_DELAYS = (1, 2, 4)  # seconds before each retry
TIMEOUT_SECONDS = 10  # per request
AUTH_KEY_SECONDS = 900  # an unused auth key expires after this long: the instance joins at boot
_SECRET_LIKE = re.compile(r"tskey-[A-Za-z0-9_-]+")  # API access tokens and auth keys alike


class TailscaleError(Exception):
    """A failed Tailscale API call: which call, and the status when the API answered one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # urllib would resend the Authorization header to wherever it is sent


_opener = urllib.request.build_opener(_NoRedirects)


def scrub(text: str, *secrets: str) -> str:
    for secret in filter(None, secrets):
        text = text.replace(secret, "***")
    return _SECRET_LIKE.sub("tskey-***", text)


class Client:
    def __init__(self, config: Config, sleep=time.sleep):
        self._config, self._sleep = config, sleep

    def create_auth_key(self, hostname: str, description: str | None = None) -> str:
        """A one-off, ephemeral, pre-authorised auth key for the device that will call itself `hostname`."""
        create = {"reusable": False, "ephemeral": True, "preauthorized": True}
        body = {"capabilities": {"devices": {"create": create}}, "expirySeconds": AUTH_KEY_SECONDS,
                "description": description or f"skyrepl {hostname}"}
        key = self._call("POST", f"/tailnet/{self._tailnet()}/keys", body).get("key")
        if not isinstance(key, str) or not key:
            raise TailscaleError(f"POST /tailnet/{self._tailnet()}/keys answered without a key")
        return key

    def find_devices(self, *hostnames: str) -> list:
        """Devices named any of `hostnames` (one listing): by hostname, or by a MagicDNS name
        `hostname.<tailnet domain>`."""
        devices = self._call("GET", f"/tailnet/{self._tailnet()}/devices").get("devices") or []
        return [d for d in devices if d.get("hostname") in hostnames or _magicdns_host(d) in hostnames]

    def delete_device(self, device_id: str) -> None:
        self._call("DELETE", f"/device/{urllib.parse.quote(str(device_id), safe='')}")

    def _tailnet(self) -> str:
        return urllib.parse.quote(self._config.tailnet, safe="")

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self._config.api_key}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self._config.api_url.rstrip("/") + path, data, headers, method=method)
        for delay in (*RETRY_DELAYS, None):
            try:
                with _opener.open(request, timeout=TIMEOUT_SECONDS) as res:
                    raw = res.read()
                break
            except urllib.error.HTTPError as err:
                failure = TailscaleError(f"{method} {path} answered {err.code}: {self._detail(err)}", err.code)
                retry = err.code == 429 or err.code >= 500
            except Exception as err:  # noqa: BLE001 - network errors, and urllib's own (which may quote headers)
                failure = TailscaleError(f"{method} {path} failed: {self._scrub(f'{type(err).__name__}: {err}')}")
                retry = isinstance(err, OSError)
            if not retry or delay is None:
                raise failure
            self._sleep(delay)
        try:
            answer = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise TailscaleError(f"{method} {path} answered something other than JSON") from None
        return answer if isinstance(answer, dict) else {}

    def _detail(self, err: urllib.error.HTTPError) -> str:
        try:
            raw = err.read(2048).decode(errors="replace")
        except OSError:
            raw = ""
        finally:
            err.close()
        try:
            raw = str(json.loads(raw).get("message", raw))
        except (ValueError, AttributeError):
            pass
        return self._scrub(raw.strip())[:200] or err.reason or "no detail"

    def _scrub(self, text: str) -> str:
        return scrub(text, self._config.api_key)


def _magicdns_host(device: dict) -> str | None:
    """`repl-r1` of the MagicDNS name `repl-r1.tail0.ts.net`; None for a name with no domain."""
    host, dot, _domain = str(device.get("name", "")).partition(".")
    return host if dot else None
