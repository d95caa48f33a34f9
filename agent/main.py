"""`python3 -m agent --api-url URL --token-file PATH [--workdir DIR] [--poweroff-cmd CMD]`.

Exit codes: 0 the instance is done (410/401 on events, 410 on register) or was powered off; 1 the
control plane refused the registration (e.g. 401) or power-off failed; 2 bad arguments or settings;
130/143 stopped by SIGINT/SIGTERM (the command is killed first: it runs in its own session and would survive us).
"""
import logging
import os
import signal
import sys
import threading
from typing import List, Optional

from agent import __version__, config
from agent.client import ApiClient
from agent.loop import Agent

log = logging.getLogger("agent")


class Terminated(BaseException):  # like KeyboardInterrupt: the loop's crash handler must not catch it
    """SIGTERM reached the agent."""


def main(argv: Optional[List[str]] = None) -> int:
    _setup_logging()
    try:
        cfg = config.parse(argv, os.environ)
        token = config.read_token(cfg.token_file)
    except SystemExit as exc:  # argparse already printed usage or --help
        return exc.code if isinstance(exc.code, int) else 2
    except config.ConfigError as err:
        log.error("%s", err)
        return 2
    client = ApiClient(cfg.api_url, token, cfg.backoff_first_seconds, cfg.backoff_max_seconds)
    agent = Agent(cfg, client)
    log.info("skyrepl agent %s: api %s, workdir %s", __version__, cfg.api_url, cfg.workdir)
    in_main_thread = threading.current_thread() is threading.main_thread()  # signal() needs it
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main_thread else None
    try:
        return agent.run()
    except (Terminated, KeyboardInterrupt) as exc:
        log.info("stopping on a signal: killing the command first")
        agent.dispatcher.stop_all()
        return 143 if isinstance(exc, Terminated) else 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s skyrepl-agent %(levelname)s %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
