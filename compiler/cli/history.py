"""The text form of `durable-compile history`: one line per event, with the source of its operation.

Columns: event number, timestamp, event type, the operation's name and subtype, and `file:line` of the
durable call in the original source (relative to the working directory when it lies below it). Widths
follow the longest value, so the output of one history is the same on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TYPE_WIDTH = 22  #: the longest AWS event type (`ChainedInvokeSucceeded`)


def shown_path(path: str) -> str:
    """`path` relative to the working directory when below it, else as recorded."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path
    return relative.as_posix() if Path(path).is_absolute() else path


def history_lines(events: list[dict[str, Any]], with_source: bool = True) -> list[str]:
    labels = [" ".join(str(event[k]) for k in ("Name", "SubType") if event.get(k)) for event in events]
    width = max((len(label) for label in labels), default=0)
    lines = []
    for event, label in zip(events, labels, strict=True):
        head = f"{event['EventId']:>4}  {event['EventTimestamp']}  {event['EventType']:<{TYPE_WIDTH}} "
        source = event.get("Source")
        where = f"{shown_path(source['File'])}:{source['Line']}" if source else ""
        line = head + (f"{label:<{width}}  {where}" if with_source and where else label)
        lines.append(line.rstrip())
    return lines
