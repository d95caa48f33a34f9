"""Parse a buffered `text/event-stream` body (the control plane answers at once, never holds it open).

Follows the WHATWG rules that matter here: lines end in CRLF, LF or CR; `:` starts a comment; one
space after the colon is dropped; `data:` lines join with newlines; a blank line ends an event, and
an event with no data is not dispatched; `retry:` counts only if it is all digits. An event missing
its terminating blank line (a cut-off body) is dropped. Unlike a browser, an event's id is only the
`id:` given in its own block, so an id-less event never inherits (and re-acks) an older id.
"""
import re
from typing import List, NamedTuple, Optional, Tuple

_LINE_END = re.compile(r"\r\n|\r|\n")


class Event(NamedTuple):
    id: Optional[str]
    type: str
    data: str


def parse(text: str) -> Tuple[Optional[int], List[Event]]:
    """(retry in ms or None, events in order)."""
    retry, events = None, []
    event_id, event_type, data = None, "", []  # type: Optional[str], str, List[str]
    lines = _LINE_END.split(text)
    for line in lines[:-1]:  # the last piece follows the final line break: unterminated, ignored
        if not line:
            if data:
                events.append(Event(event_id, event_type or "message", "\n".join(data)))
            event_id, event_type, data = None, "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            event_id = value
        elif name == "retry" and value.isdigit() and value.isascii():
            retry = int(value)
    return retry, events
