"""`--max-duration`: milliseconds as the seed writes them (`7200000`), or a number with a unit
(`90s`, `30m`, `2h`, `1.5h`, `500ms`); repl.toml's `max_duration` takes the same."""
import re

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)?")
_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
ALLOWED = "milliseconds (300000), or a number with a unit: 90s, 30m, 2h, 1.5h"


def to_ms(text) -> int | None:
    """The duration in milliseconds, or None if `text` is not one."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    match = _DURATION.fullmatch(str(text).strip()) if isinstance(text, str) else None
    if not match:
        return None
    number, unit = match.groups()
    if unit is None and "." in number:
        return None  # milliseconds are whole: "1.5" is most likely a forgotten unit
    return round(float(number) * _MS[unit or "ms"])


def text(ms: int) -> str:
    """The largest unit that says it exactly: 1800000 -> 30m, 5400000 -> 90m, 1500 -> 1500ms."""
    for unit in ("d", "h", "m", "s"):
        if ms % _MS[unit] == 0:
            return f"{ms // _MS[unit]}{unit}"
    return f"{ms}ms"
