"""Rendering: tables, key: value lines, JSON, prices, durations, optional colour."""
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
    if isinstance(value, list):  # env_names: API_TOKEN, DEBUG
        return ", ".join(map(str, value)) or "-"
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
    """One `key: value` line per field; a nested record's fields become `key.field` lines."""
    flat = {}
    for key, value in record.items():
        if isinstance(value, dict) and value:
            flat.update({f"{key}.{inner}": v for inner, v in value.items()})
        else:
            flat[key] = value
    width = max(map(len, flat), default=0) + 1
    return "".join(f"{(key + ':').ljust(width)} {cell(value)}\n" for key, value in flat.items())


def short_time(iso: str | None) -> str:
    """2026-11-26T17:00:00.000Z -> 2026-11-26 17:00:00 (UTC, as the API reports it)."""
    return iso[:19].replace("T", " ") if iso else "-"


def shorten(text: str, width: int = COMMAND_WIDTH) -> str:
    text = " ".join(text.split())  # a multi-line command stays on its table row
    return text if len(text) <= width else text[: width - 1] + "…"


def size(n_bytes: int) -> str:
    for unit, scale in (("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes} B"


def files(count: int) -> str:
    return plural(count, "file")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def price(usd_per_hour: float | None) -> str:
    """$0.0035/h: four decimals as EC2 quotes them, more only when a price needs them."""
    if usd_per_hour is None:
        return "-"
    exact = round(usd_per_hour, 4) == usd_per_hour
    return "$" + (f"{usd_per_hour:.4f}" if exact else f"{usd_per_hour:.6f}".rstrip("0")) + "/h"


def duration(seconds: float | None, tenths: bool = True) -> str:
    """12.3s (12s without tenths, for a ticking clock), 4m05s, 2h03m; "?" when unknown."""
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds:.1f}s" if tenths else f"{int(seconds)}s"
    minutes = int(seconds) // 60
    return f"{minutes}m{int(seconds) % 60:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def parse_time(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
