"""The process's surroundings (streams, env vars, home, cwd, clock, the embedded stack), injectable for tests."""
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, TextIO

DEFAULT_COLUMNS = 80  # when a terminal does not say how wide it is


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    config_dir: Path = field(default_factory=lambda: Path.home() / ".repl")
    home: Path = field(default_factory=Path.home)  # where the search for a project's repl.toml stops
    cwd: Path = field(default_factory=Path.cwd)  # where it starts
    sleep: Callable[[float], None] = field(default=time.sleep)
    clock: Callable[[], float] = field(default=time.time)  # wall-clock seconds: run times are wall-clock too
    # The `local.control` module (or a fake with the same up/down/status); imported on first use
    # because it is only needed for the embedded stack.
    local_control: Any = None

    def control(self):
        if self.local_control is None:
            from repl.commands.local import control_module

            self.local_control = control_module()
        return self.local_control

    def out(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()  # a followed run's output must appear as it arrives

    def err(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()

    def colour(self, stream: TextIO) -> bool:
        """Colour only for a terminal, and never with NO_COLOR set (https://no-color.org)."""
        return not self.environ.get("NO_COLOR") and self.is_terminal(stream)

    def is_terminal(self, stream: TextIO) -> bool:
        try:
            return stream.isatty()
        except (AttributeError, ValueError):  # a closed or stream-like object without a terminal
            return False

    def columns(self, stream: TextIO) -> int:
        """The terminal's width: $COLUMNS if set (as shells and tests set it), else the terminal's own."""
        given = self.environ.get("COLUMNS", "")
        if given.isdigit() and int(given) > 0:
            return int(given)
        try:
            return os.get_terminal_size(stream.fileno()).columns or DEFAULT_COLUMNS
        except (ValueError, OSError, AttributeError):  # no real terminal behind the stream (a test's StringIO)
            return DEFAULT_COLUMNS
