"""Rendering: tables, key: value lines, JSON, run phase and summary lines, optional colour."""
import json
from datetime import datetime
from typing import Callable, Iterable

from functions.core import states

_COLOURS = {states.SUCCEEDED: "32", states.FAILED: "31", states.ERROR: "31", states.INTERRUPTED: "31",
            states.TIMED_OUT: "33", states.CANCELLED: "33", states.RUNNING: "36"}
COMMAND_WIDTH = 40  # characters of a run's command shown in `repl run list`


def to_json(data) -> str:
    return json.dumps(data, indent=2) + "\n"


def cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def paint(text: str, status: str, enabled: bool) -> str:
    code = _COLOURS.get(status.strip())
    return f"\033[{code}m{text}\033[0m" if enabled and code else text


def table(headers: list, rows: Iterable[list], colour: Callable[[int, str], str] = lambda i, text: text) -> str:
    """Left-aligned columns two spaces apart; `colour(column, padded_text)` may wrap a cell in colour."""
    rows = [[cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for n, row in enumerate([headers, *rows]):
        padded = [text.ljust(w) if i < len(row) - 1 else text for i, (text, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(colour(i, text) if n else text for i, text in enumerate(padded)))
    return "\n".join(lines) + "\n"


def key_values(record: dict) -> str:
    width = max(map(len, record), default=0) + 1
    return "".join(f"{(key + ':').ljust(width)} {cell(value)}\n" for key, value in record.items())


def short_time(iso: str | None) -> str:
    """2026-11-26T17:00:00.000Z -> 2026-11-26 17:00:00 (UTC, as the API reports it)."""
    return iso[:19].replace("T", " ") if iso else "-"


def shorten(text: str, width: int = COMMAND_WIDTH) -> str:
    text = " ".join(text.split())  # a multi-line command stays on its table row
    return text if len(text) <= width else text[: width - 1] + "…"


def phase_line(run: dict) -> str | None:
    """What `repl run` says on stderr when a run reaches an active status."""
    status = run["status"]
    if status == states.PENDING:
        return f"[repl] run {run['id']} pending…"
    if status == states.PROVISIONING:
        return f"[repl] provisioning {run.get('instance_type')} in {run.get('region')} ({market(run)})…"
    if status == states.BOOTING:
        priced = f" ({market(run)})" if run.get("spot_price") is not None else ""
        return f"[repl] booting {run.get('instance_id') or 'the instance'}{priced}…"
    if status == states.RUNNING:
        return "[repl] running"
    return None


def market(run: dict) -> str:
    """"on-demand", "spot", or "spot at $0.0035/h" once Provision has looked the price up."""
    if not run.get("spot"):
        return "on-demand"
    return f"spot at {price(run['spot_price'])}" if run.get("spot_price") is not None else "spot"


def price(usd_per_hour: float | None) -> str:
    """$0.0035/h: four decimals as EC2 quotes them, more only when a price needs them."""
    if usd_per_hour is None:
        return "-"
    exact = round(usd_per_hour, 4) == usd_per_hour
    return "$" + (f"{usd_per_hour:.4f}" if exact else f"{usd_per_hour:.6f}".rstrip("0")) + "/h"


def summary_line(run: dict, colour: bool = False) -> str:
    status = paint(run["status"], run["status"], colour)
    if run["status"] not in (states.SUCCEEDED, states.FAILED):
        return f"[repl] run {run['id']} {status}: {run.get('reason') or 'no reason given'}"
    line = f"[repl] run {run['id']} {status} (exit {run.get('exit_code')}) in {_duration(run)}"
    # Finalize confirms the termination before it writes a terminal status (docs/protocol.md §4).
    return line + (f"; instance {run['instance_id']} terminated" if run.get("instance_id") else "")


def _duration(run: dict) -> str:
    """The command's own time when it started, else the whole run's (boot included)."""
    start, end = run.get("started_at") or run.get("created_at"), run.get("ended_at")
    if not (start and end):
        return "?"
    seconds = (_parse(end) - _parse(start)).total_seconds()
    return f"{seconds:.1f}s"


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
