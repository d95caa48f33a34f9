"""Following a run: its log pages, its status on stderr, and the wait for a terminal status."""
from functions.core import states
from repl import run_lines
from repl.commands import Context, about_run
from repl.status_line import StatusLine

POLL_SECONDS = 0.5  # between polls of an idle run; the agent ships logs at most every 0.5 s anyway


def detach_message(run_id: str) -> str:
    return (f"detached from run {run_id}; re-attach with: repl run logs {run_id} --follow; "
            f"cancel with: repl run cancel {run_id}\n")


class Follower:
    """Reads GET /v1/runs/{id}/logs from cursor `after` on, writing or collecting entries."""

    def __init__(self, ctx: Context, run_id: str, stream: bool = True, phases: bool = True):
        self.ctx, self.run_id, self.stream = ctx, run_id, stream
        self.after, self.entries = 0, []
        self.status = StatusLine(ctx.env, enabled=phases)

    def follow(self) -> dict:
        """Until the run is terminal and every log entry has been read."""
        try:
            while True:
                run = self.drain()
                if states.is_terminal(run["status"]):
                    self.status.close()  # the summary line takes its place
                    return run
                self.ctx.env.sleep(POLL_SECONDS)
        except BaseException:  # Ctrl-C or an error: its message goes below the last status seen
            self.status.keep()
            raise

    def drain(self) -> dict:
        """Every page stored now: stops at the first page that moves the cursor no further."""
        while True:
            with about_run(self.run_id):
                page = self.ctx.client.get(f"/v1/runs/{self.run_id}/logs", after=self.after)
            self.status.update(page["run"])
            self._take(page["entries"])
            # The API reads the run before the logs, so a terminal run plus an empty page is the end.
            if page["next"] == self.after:
                return page["run"]
            self.after = page["next"]

    def _take(self, entries: list) -> None:
        if not self.stream:
            self.entries += entries
            return
        env = self.ctx.env
        if entries:
            self.status.wipe()  # drawn again below the output, once it is written
        for entry in entries:
            to_stderr = entry["stream"] == "stderr"
            (env.err if to_stderr else env.out)(entry["data"])
            self.status.wrote(entry["data"], env.stderr if to_stderr else env.stdout)
        if entries:
            self.status.draw()


def wait(ctx: Context, run_id: str) -> dict:
    """Poll the run itself (no logs) until it is terminal: for --json, which prints only the end."""
    while True:
        with about_run(run_id):
            run = ctx.client.get(f"/v1/runs/{run_id}")["run"]
        if states.is_terminal(run["status"]):
            return run
        ctx.env.sleep(POLL_SECONDS)


def finish(ctx: Context, run: dict) -> int:
    """The one-line summary on stderr, and the exit code the run maps to."""
    ctx.env.err(run_lines.summary_line(run, ctx.env.colour(ctx.env.stderr)) + "\n")
    return states.cli_exit_code(run["status"], run.get("exit_code"))
