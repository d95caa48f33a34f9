"""The embedded stack in one process: emulated AWS, the deployed control plane, the gateway,
the instance emulator and the sweeper's schedule. local/daemon.py runs it in the background;
tests can run it in-process."""
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from local.serving import MotoServer, bound

REGION = "us-east-1"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# Embedded timings: the same workflow, with waits sized for a laptop rather than a real boot.
TIMINGS = {"BOOT_POLL_SECONDS": "1", "BOOT_TIMEOUT_SECONDS": "120", "AGENT_SILENT_SECONDS": "60",
           "CANCEL_GRACE_SECONDS": "8",
           # the gateway holds a caller's read until there is news (local/changes.py): after an empty
           # answer, read again at once
           "AGENT_POLL_MS": "100", "POOL_POLL_MS": "50", "CLIENT_POLL_MS": "100",
           "OUTPUT_ATTACHED_MS": "50", "OUTPUT_DETACHED_MS": "1000"}
ENVIRONMENTS_PER_FUNCTION = 4  # concurrent requests per API function, as Lambda's per-function concurrency
AGENT_TIMINGS = {"SKYREPL_LOG_BATCH_SECONDS": "0.2", "SKYREPL_KILL_GRACE_SECONDS": "2",
                 "SKYREPL_IMDS_POLL_SECONDS": "0.5",  # a spot run's agent asks the fake IMDS this often
                 "SKYREPL_ARTIFACT_CANCEL_SECONDS": "3"}  # within the 8 s cancel grace, after the 2 s kill
# EventBridge's schedule, on the embedded stack; SKYREPL_LOCAL_SWEEP_SECONDS=0 turns it off (the fuzzer's stack,
# tests/fuzz, must change only when a request changes it; `repl orphan scan` still sweeps on demand)
SWEEP_INTERVAL_SECONDS = float(os.environ.get("SKYREPL_LOCAL_SWEEP_SECONDS") or 60.0)
# the pool keeper's schedule (AWS: 1 min; bench/cost.py runs it so); off with the sweeper's
KEEP_INTERVAL_SECONDS = float(os.environ.get("SKYREPL_LOCAL_KEEP_SECONDS") or 2.0)


@dataclass
class Stack:
    work_dir: Path
    control_id: str
    api_port: int | None = None
    aws_port: int | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    sweep_interval: float = SWEEP_INTERVAL_SECONDS

    def start(self) -> "Stack":
        self.moto = bound(MotoServer, self.aws_port)
        self.aws_port = self.moto.port
        self.aws_endpoint = f"http://127.0.0.1:{self.aws_port}"
        self._environment()
        from functions.aws import clients
        from local import amis, deploy, faults, moto_internals
        moto_internals.install()
        if os.environ.get("SKYREPL_LOCAL_TIME_SCALE"):  # tests fast-forward Wait/Retry intervals
            moto_internals.set_time_scale(float(os.environ["SKYREPL_LOCAL_TIME_SCALE"]))
        clients.reset()  # the environment now names the emulator
        self._unhook_faults = faults.install(self.work_dir)  # every client and resource of every service
        self.moto.start()
        os.environ.update(deploy.deploy(REGION))
        amis.seed_canonical_amis()
        clients.reset()  # settings read again: the tables and state machine deployed just now
        self._restore()
        self._start_gateway()
        clients.reset()  # and again: the gateway's URL is the agents' API_URL
        self._tailscale()
        self._start_imds()
        self._start_emulator()
        self._start_sweeper()
        return self

    def stop(self) -> None:
        self._stop_sweeper.set()
        self.emulator.stop()
        self.imds.stop()
        self.gateway.stop()
        for function in self.functions:
            function.stop()
        self.history.close()
        self.moto.stop()
        self._unhook_faults()
        from local import moto_internals
        moto_internals.uninstall()

    def _environment(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        os.environ.update({"MOTO_PORT": str(self.aws_port), "AWS_ENDPOINT_URL": self.aws_endpoint,
                           "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "CONTROL_ID": self.control_id,
                           # moto's ~1,300 stock images per region match none of our name filters
                           "MOTO_EC2_LOAD_DEFAULT_AMIS": "false", **DUMMY_CREDENTIALS})
        # moto has no Price List API: on-demand prices come from a seeded list (functions/aws/prices.py)
        os.environ.setdefault("PRICE_LIST_FILE", str(Path(__file__).with_name("prices.json")))
        for name, value in TIMINGS.items():  # the daemon's own environment may set others (bench/cost.py does)
            os.environ.setdefault(name, value)
        os.environ.pop("AWS_PROFILE", None)

    def _restore(self) -> None:
        """What the stack held when it last stopped (local/history.py), and what a stop with runs in
        flight left behind put right (local/recovery.py), before anyone can ask."""
        from local.history import History
        from local.recovery import recover
        self.history = History(self.work_dir / "history")
        restored = self.history.restore()
        recovered = recover(self.control_id)
        print(f"[stack] restored {restored['items']} items, {restored['objects']} objects, "
              f"{restored['parameters']} parameters; ended {len(recovered['runs_ended'])} runs left in flight, "
              f"killed {recovered['processes_killed']} leftover processes", flush=True)

    def _start_gateway(self) -> None:
        from local.changes import changes
        from local.environments import Function
        from local.gateway import Gateway
        from local.lambda_worker import STATE_DIR_VAR
        log = open(self.work_dir / "lambda.log", "ab")  # the functions' own logs (Powertools' JSON lines)
        self.functions = [Function(name, handler, ENVIRONMENTS_PER_FUNCTION, log) for name, handler in (
            ("Api", "functions.api.handler.lambda_handler"), ("AgentApi", "functions.agent_api.handler.lambda_handler"))]
        api, agent = self.functions
        self.gateway = bound(lambda port: Gateway(api.invoke, agent.invoke, self.token, port, changes), self.api_port)
        self.api_url = self.gateway.url
        self.api_port = self.gateway.server.server_address[1]
        # the functions' environments are made now, with the URL their agents are told (API_URL)
        os.environ.update({"API_URL": self.api_url, STATE_DIR_VAR: str(self.work_dir)})
        for function in self.functions:
            function.warm()
        self.gateway.start()

    def _tailscale(self) -> None:
        """TAILSCALE_API_KEY/TAILSCALE_TAILNET go where the handlers look, the emulated SSM, and leave the
        environment. TAILSCALE_API_URL, if set, stays. The emulator never lets an instance join (bootstrap)."""
        key, tailnet = os.environ.pop("TAILSCALE_API_KEY", ""), os.environ.pop("TAILSCALE_TAILNET", "")
        if key and tailnet:
            from functions.tailscale import config
            config.save(key, tailnet)

    def _start_imds(self) -> None:
        """The fake IMDS every emulated instance's agent asks (its own path under one server)."""
        from local.imds import FakeImds
        self.imds = FakeImds().start()
        self.imds_url = self.imds.url

    def _start_emulator(self) -> None:
        from local.emulator import Emulator
        agent_env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        agent_env.update({"AWS_ENDPOINT_URL": self.aws_endpoint, "AWS_DEFAULT_REGION": REGION,
                          **DUMMY_CREDENTIALS, **AGENT_TIMINGS})
        self.emulator = Emulator(self.control_id, self.work_dir / "instances", agent_env, imds=self.imds)
        self.emulator.start()

    def _start_sweeper(self) -> None:
        """EventBridge's two schedules: the sweeper's, and the pool keeper's (faster here than on AWS's
        minute, so that a pool replaces an interrupted instance within seconds)."""
        from functions.lifecycle.pool_keeper import keep_every
        from functions.sweeper.sweep import sweep
        self._stop_sweeper = threading.Event()
        if self.sweep_interval <= 0:
            return
        for name, every, task in (("sweeper", self.sweep_interval, sweep),
                                  ("pool-keeper", min(self.sweep_interval, KEEP_INTERVAL_SECONDS), keep_every)):
            threading.Thread(target=self._every, args=(name, every, task), name=name, daemon=True).start()

    def _every(self, name: str, seconds: float, task) -> None:
        while not self._stop_sweeper.wait(seconds):
            try:
                task()
            except Exception as err:  # noqa: BLE001 - a failed tick is retried on the next one
                print(f"[{name}] failed: {err!r}", flush=True)
