"""Command handlers: each takes (args, Context) and returns an exit code."""
from contextlib import contextmanager

from repl import config
from repl.client import ApiError, Client
from repl.environment import Environment
from repl.errors import CliError


class Context:
    """What a command needs; the control plane is resolved on first use, so `repl local` never needs one."""

    def __init__(self, env: Environment):
        self.env = env
        self._client = None

    def use(self, client: Client) -> None:
        """Talk to this control plane from now on (`repl setup`, once it has checked it)."""
        self._client = client

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client(config.resolve(self.env))
        return self._client


@contextmanager
def about_run(run_id: str):
    """A 404 on a run's route means that run is not (or not the caller's): say so by its id."""
    try:
        yield
    except ApiError as err:
        if err.status == 404:
            raise CliError(f"run {run_id} not found") from None
        raise
