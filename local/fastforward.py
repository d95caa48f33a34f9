"""Fast-forward moto's Step Functions clock for tests: Wait states and Retry intervals shrink by `scale`.

Task timeouts and heartbeats are not scaled (they are the behaviour under test, given in seconds
by the execution input). Patches moto internals, hence the exact moto pin.
"""
import time
import types

from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

_original_wait = WaitFunction._wait_interval
_original_time = retrier_decl.time


def install(scale: float) -> None:
    def scaled_wait(self, env, wait_seconds):
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds * scale)

    WaitFunction._wait_interval = scaled_wait
    retrier_decl.time = types.SimpleNamespace(sleep=lambda seconds: time.sleep(seconds * scale), time=time.time)


def uninstall() -> None:
    WaitFunction._wait_interval = _original_wait
    retrier_decl.time = _original_time
