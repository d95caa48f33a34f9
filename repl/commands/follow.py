"""Following a run: its log pages, its status on stderr, and the wait for a terminal status."""
import gzip
import json

from functions.core import choices, states
from repl import run_lines
from repl.client import TIMEOUT_SECONDS, Unreachable
from repl.commands import Context, about_run
from repl.errors import CliError
from repl.status_line import StatusLine

WAIT_SECONDS = 15  # a read may be held this long until there is news (the embedded stack holds it), well
# under the client's 30 s timeout even when a busy stack takes a while to answer afterwards
READ_ATTEMPTS = 3
POLL_SECONDS = 3.0  # between reads of an idle run, when the answer does not say (poll_after_ms)


def detach_message(run_id: str) -> str:
    return (f"detached from run {run_id}; re-attach with: repl run logs {run_id} --follow; "
            f"cancel with: repl run cancel {run_id}\n")


class Follower:
    """Reads GET /v1/runs/{id}/logs from cursor `after` on, writing or collecting entries."""

    def __init__(self, ctx: Context, run_id: str, stream: bool = True, phases: bool = True, keep: bool = True,
                 run: dict | None = None):
        self.ctx, self.run_id, self.stream, self.keep = ctx, run_id, stream, keep
        self.after, self.entries, self.seen = 0, [], None
        self.open_line = False  # the command's output so far ends mid-line
        self.status = StatusLine(ctx.env, enabled=phases)
        if run:  # the run as its create answered: the first read already waits for news (one request less)
            self.seen = seen(run)
            self.status.update(run)

    def follow(self) -> dict:
        """Until the run is terminal and every log entry has been read."""
        try:
            while True:
                run, pause = self.drain()
                if states.is_terminal(run["status"]):
                    self.status.close()  # the summary line takes its place
                    return run
                if pause:
                    self.ctx.env.sleep(pause)
        except BaseException:  # Ctrl-C or an error: its message goes below the last status seen
            self.status.keep()
            raise

    def drain(self, hold: bool = True) -> tuple[dict, float]:
        """Every page stored now: stops at the first page that moves the cursor no further. Each read
        may wait for news (`wait`, `status`: what this follower has seen); the run, and how long to
        pause before the next read (0 after news: read on at once)."""
        while True:
            query = {"after": self.after}
            if hold and self.seen:  # a follower: the last read of a page may wait for news
                query.update(wait=WAIT_SECONDS, status=self.seen[0], attempts=self.seen[1])
            page = self._read(query)
            news = seen(page["run"]) != self.seen or page["next"] != self.after
            self.seen = seen(page["run"])
            self.status.update(page["run"])
            self._take(expand(self.ctx, page["entries"]))
            # The API reads the run before the logs, so a terminal run plus an empty page is the end.
            if page["next"] == self.after:
                return page["run"], 0.0 if news else page.get("poll_after_ms", POLL_SECONDS * 1000) / 1000
            self.after = page["next"]
            if page.get("more") is False and not states.is_terminal(page["run"]["status"]):
                # all there is now: read again after the interval the API suggests (a read the embedded
                # stack would hold costs a request on AWS, where nothing holds it)
                return page["run"], page.get("poll_after_ms", POLL_SECONDS * 1000) / 1000

    def _read(self, query: dict) -> dict:
        """One page; a read that got no answer (a busy or briefly unreachable control plane) is tried
        again, as reading changes nothing."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                with about_run(self.run_id):
                    return self.ctx.client.get(f"/v1/runs/{self.run_id}/logs", **query)
            except Unreachable:
                if attempt == READ_ATTEMPTS:
                    raise
                self.ctx.env.sleep(attempt)

    def _take(self, entries: list) -> None:
        if not self.stream:
            self.entries += entries if self.keep else []
            return
        env = self.ctx.env
        if entries:
            self.status.wipe()  # drawn again below the output, once it is written
        for entry in entries:
            to_stderr = entry["stream"] == "stderr"
            (env.err if to_stderr else env.out)(entry["data"])
            self.open_line = not entry["data"].endswith("\n") if entry["data"] else self.open_line
            self.status.wrote(entry["data"], env.stderr if to_stderr else env.stdout)
        if entries:
            self.status.draw()


def seen(run: dict) -> tuple[str, int]:
    """What a follower has seen of a run besides its output: its status, and how far its attempts are
    (a failover and a back-off happen while it is provisioning)."""
    return run["status"], choices.progress([a["outcome"] for a in run.get("attempts") or ()])


def expand(ctx: Context, entries: list) -> list:
    """Entries as the command wrote them: a chunk (bulk output kept in S3) is fetched by its presigned URL,
    gunzipped and put in its place."""
    out = []
    for entry in entries:
        if "chunk" not in entry:
            out.append(entry)
            continue
        try:
            with ctx.client.urlopen(entry["chunk"]["url"], timeout=TIMEOUT_SECONDS) as response:
                batch = json.loads(gzip.decompress(response.read()))
        except (OSError, ValueError) as err:  # HTTPError is an OSError; a bad gzip or JSON a ValueError
            raise CliError(f"cannot read output batch {entry['seq']} of the run: {err}") from None
        out += [{"seq": entry["seq"], **e} for e in batch]
    return out


def wait(ctx: Context, run_id: str, run: dict | None = None) -> dict:
    """Follow the run without its output until it is terminal: for --json, which prints only the end
    (`run`: as its create answered, so the first read may already wait)."""
    return Follower(ctx, run_id, stream=False, phases=False, keep=False, run=run).follow()


def finish(ctx: Context, run: dict, open_line: bool = False) -> int:
    """The one-line summary on stderr (on a line of its own, after output that did not end its line),
    and the exit code the run maps to."""
    if open_line:
        ctx.env.err("\n")
    ctx.env.err(run_lines.summary_line(run, ctx.env.colour(ctx.env.stderr)) + "\n")
    return states.cli_exit_code(run["status"], run.get("exit_code"))
