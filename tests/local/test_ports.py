"""Two embedded stacks starting at once (the e2e and fuzz suites do) both prefer 8750/8751: whichever binds
second must get other ports, not hang (moto's own server waits for ever on a taken port) or crash."""
import socket
import urllib.request

from local.gateway import Gateway
from local.serving import MotoServer, bound


def _taken() -> socket.socket:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


def test_a_taken_preferred_port_gives_the_emulator_another_one_that_serves():
    with _taken() as holder:
        taken = holder.getsockname()[1]
        moto = bound(MotoServer, taken)
        moto.start()
        try:
            assert moto.port not in (taken, 0)
            with urllib.request.urlopen(f"http://127.0.0.1:{moto.port}/moto-api/data.json", timeout=10) as answer:
                assert answer.status == 200
        finally:
            moto.stop()


def test_a_free_preferred_port_is_the_one_bound():
    with _taken() as probe:
        free = probe.getsockname()[1]
    moto = bound(MotoServer, free)
    try:
        assert moto.port == free
    finally:
        moto.stop()


def test_a_taken_preferred_port_gives_the_gateway_another_one():
    with _taken() as holder:
        taken = holder.getsockname()[1]
        gateway = bound(lambda port: Gateway(lambda e: {}, lambda e: {}, "t", port), taken)
        try:
            assert gateway.url != f"http://127.0.0.1:{taken}"
        finally:
            gateway.stop()
