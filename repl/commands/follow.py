"""Following a run: its log pages, its phase changes, and the wait for a terminal status."""
from functions.core import states
from repl import output
from repl.commands import Context, about_run

POLL_SECONDS = 0.5  # between polls of an idle run; the agent ships logs at most every 0.5 s anyway


def detach_message(run_id: str) -> str:
    return (f"detached from run {run_id}; re-attach with: repl run logs {run_id} --follow; "
            f"cancel with: repl run cancel {run_id}\n")


class Follower:
    """Reads GET /v1/runs/{id}/logs from cursor `after` on, writing or collecting entries."""

    def __init__(self, ctx: Context, run_id: str, stream: bool = True, phases: bool = True):
        self.ctx, self.run_id, self.stream, self.phases = ctx, run_id, stream, phases
        self.after, self.status, self.entries = 0, None, []

    def follow(self) -> dict:
        """Until the run is terminal and every log entry has been read."""
        while True:
            run = self.drain()
            if states.is_terminal(run["status"]):
                return run
            self.ctx.env.sleep(POLL_SECONDS)

    def drain(self) -> dict:
        """Every page stored now: stops at the first page that moves the cursor no further."""
        while True:
            with about_run(self.run_id):
                page = self.ctx.client.get(f"/v1/runs/{self.run_id}/logs", after=self.after)
            self._announce(page["run"])
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
        for entry in entries:
            (env.err if entry["stream"] == "stderr" else env.out)(entry["data"])

    def _announce(self, run: dict) -> None:
        if self.phases and run["status"] != self.status:
            line = output.phase_line(run)
            if line:
                self.ctx.env.err(line + "\n")
        self.status = run["status"]


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
    ctx.env.err(output.summary_line(run, ctx.env.colour(ctx.env.stderr)) + "\n")
    return states.cli_exit_code(run["status"], run.get("exit_code"))
