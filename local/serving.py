"""The embedded stack's servers on loopback: bound where a taken port is seen, served on a daemon thread.

Binding is the test of a port: one probed as free and bound a moment later is taken by whichever of
two stacks starting at once (the e2e and fuzz suites) binds first (decision 49).
"""
import socket
import socketserver
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def bound(make: Callable[[int], T], preferred: int | None) -> T:
    """A server made on the preferred port, else on any free one."""
    if preferred:
        try:
            return make(preferred)
        except OSError:
            pass
    return make(0)


class Served:
    """A socketserver served on a daemon thread; stop() also for one never started."""

    server: socketserver.BaseServer
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, name=type(self).__name__, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread:  # shutdown() waits for a serve_forever that never began
            self.server.shutdown()
        self.server.server_close()


class MotoServer(Served):
    """moto's WSGI app, as moto's ThreadedMotoServer serves it; but that one binds in its thread and, when
    the port is taken, leaves start() waiting for ever."""

    def __init__(self, port: int):
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server
        # the socket is bound here, not by werkzeug, which answers a taken port with sys.exit rather than OSError
        listener = socket.create_server(("127.0.0.1", port), backlog=128)
        with listener:  # werkzeug serves a duplicate of its descriptor
            self.server = make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app), True,
                                      request_handler=MotoRequestHandler, fd=listener.fileno())
        self.port = self.server.server_address[1]
