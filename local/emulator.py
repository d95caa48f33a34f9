"""The instance emulator: what booting a VM means in embedded mode.

For every instance of ours that the emulated EC2 shows running, it runs that instance's own
user-data script as a local process group (which fetches and starts the real agent); when EC2
shows the instance shutting down or terminated, it kills that process group. An agent that
powers its "machine" off runs local/poweroff.py, which terminates the instance, as
InstanceInitiatedShutdownBehavior=terminate does on AWS. With a fake IMDS (local/imds.py), each
instance gets a path of its own there, passed to its agent as SKYREPL_IMDS_URL.
"""
import base64
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from functions.aws import clients
from functions.core.naming import TAG_CONTROL_ID
from local import moto_internals

POLL_SECONDS = 0.05  # a read of the emulated EC2's memory: cheap
REPO_ROOT = Path(__file__).resolve().parents[1]
# Every process of an emulated instance carries these in its environment (inherited by all it starts):
# how its processes are found when the instance ends, re-parented ones included, and after a kill -9
# of the daemon that started them (local/recovery.py).
INSTANCE_MARK, STACK_MARK = "SKYREPL_EMULATED_INSTANCE", "SKYREPL_EMULATED_BY"


def authorized_keys(instance_dir: Path) -> Path:
    """The emulated instance's login user's authorized_keys (its agent writes the SSH keys there)."""
    return instance_dir / "home" / "ubuntu" / ".ssh" / "authorized_keys"


class Emulator:
    def __init__(self, control_id: str, work_dir: Path, agent_env: dict, imds=None):
        self.control_id, self.work_dir, self.agent_env, self.imds = control_id, work_dir, agent_env, imds
        self.processes: dict[str, subprocess.Popen] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="instance-emulator", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for instance_id in list(self.processes):
            self._kill(instance_id)

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.step()
            except Exception as err:  # noqa: BLE001 - the emulator must outlive a bad poll
                print(f"[emulator] poll failed: {err!r}", file=sys.stderr, flush=True)

    def step(self) -> None:
        for region, instance_id, state in moto_internals.our_instances(TAG_CONTROL_ID, self.control_id):
            if state == "running" and instance_id not in self.processes:
                self._boot(region, instance_id)
            elif state in ("shutting-down", "terminated", "stopped") and instance_id in self.processes:
                self._kill(instance_id)

    def _boot(self, region: str, instance_id: str) -> None:
        encoded = clients.ec2(region).describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]
        root = self.work_dir / instance_id
        root.mkdir(parents=True, exist_ok=True)
        script = root / "user-data.sh"
        script.write_bytes(base64.b64decode(encoded.get("Value", "")))
        env = {**self.agent_env, "SKYREPL_ROOT": str(root / "opt"), "SKYREPL_PYTHON": sys.executable,
               "SKYREPL_POWEROFF_CMD": f"{sys.executable} -m local.poweroff {region} {instance_id}",
               "PYTHONPATH": str(REPO_ROOT),
               "SKYREPL_TAILSCALE": "off",  # never download or join Tailscale on this machine
               # the run owner's SSH keys go into the instance's own sandbox, never this machine's ~/.ssh
               "SKYREPL_AUTHORIZED_KEYS": str(authorized_keys(root)),
               INSTANCE_MARK: instance_id, STACK_MARK: self.control_id}
        if self.imds is not None:
            self.imds.add(instance_id)
            env["SKYREPL_IMDS_URL"] = self.imds.base_url(instance_id)
        console = open(root / "console.log", "ab")
        self.processes[instance_id] = subprocess.Popen(
            ["bash", str(script)], env=env, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=root)
        console.close()

    def _kill(self, instance_id: str) -> None:
        """The VM is gone: every process on it dies at once, with no grace period. The agent runs
        commands in sessions of their own, and a command may daemonize (re-parented to init), so
        the processes are found by their tree and by the mark they all inherit."""
        proc = self.processes.pop(instance_id)
        if self.imds is not None:
            self.imds.remove(instance_id)
        kill_all({proc.pid, *descendants(proc.pid), *marked(INSTANCE_MARK, instance_id)})
        proc.wait(timeout=5)


def kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def marked(name: str, value: str) -> set:
    """Every process whose environment has name=value (one of ours: only our own can be read)."""
    wanted, found = f"{name}={value}".encode(), set()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if wanted in environ.read_bytes().split(b"\0"):
                found.add(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours
            continue
    found.discard(os.getpid())
    return found


def descendants(root: int) -> list:
    children: dict[int, list] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [root]
    while queue:
        kids = children.get(queue.pop(), [])
        found += kids
        queue += kids
    return found
