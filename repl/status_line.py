"""The run's status on stderr while `repl` waits for it: on a terminal, one line rewritten in place
(\\r) at every poll; anywhere else (a log file, CI), one line per phase change, so logs stay readable.

The command's own output shares the terminal: the line is wiped before that output is written and
drawn again below it, unless the output left a line unfinished (the line would be written into it).
"""
from functions.core import states
from repl import run_lines
from repl.environment import Environment


class StatusLine:
    def __init__(self, env: Environment, enabled: bool = True):
        self.env, self.enabled = env, enabled
        self.live = enabled and env.is_terminal(env.stderr)
        self.status = None  # the last phase announced
        self.told = None  # the last attempt line written (a failover happens within one phase)
        self.text = ""  # the latest live line
        self.shown = 0  # characters of it on the terminal now (0: none)
        self.held = False  # the command's output ended mid-line: no line until it ends one

    def update(self, run: dict) -> None:
        if not self.enabled:
            return
        if self.live:  # an ended run gets the summary line instead
            self.text = "" if states.is_terminal(run["status"]) else run_lines.live_line(run, self.env.clock())
            self.draw()
        else:
            line = run_lines.phase_line(run) if run["status"] != self.status else None
            attempt = run_lines.attempt_line(run)
            for text in (line, attempt if attempt != self.told else None):
                if text:
                    self.env.err(text + "\n")
            self.told = attempt or self.told
        self.status = run["status"]

    def draw(self) -> None:
        if not self.live or self.held or not self.text:
            return
        # one column short of the width: a full-width line makes some terminals wrap, and \r then
        # returns to the wrapped half only
        width = self.env.columns(self.env.stderr) - 1
        text = self.text if len(self.text) <= width else self.text[: width - 1] + "…"
        self.env.err("\r" + text + " " * max(0, self.shown - len(text)))
        self.shown = len(text)

    def wipe(self) -> None:
        """Clear the line, for output to take its place."""
        if self.shown:
            self.env.err("\r" + " " * self.shown + "\r")
            self.shown = 0

    def wrote(self, data: str, stream) -> None:
        """The command wrote `data` to `stream`: a line it left unfinished on the terminal holds ours back."""
        if self.live and data and self.env.is_terminal(stream):
            self.held = not data.endswith("\n")

    def close(self) -> None:
        """The run has ended: clear the line for the summary, on a line of its own."""
        self.wipe()
        if self.held:  # the command's last output did not end its line: the summary must not join it
            self.env.err("\n")
            self.held = False

    def keep(self) -> None:
        """Leave the last line as it is (Ctrl-C, an error), and move below it."""
        if self.shown:
            self.env.err("\n")
            self.shown = 0
