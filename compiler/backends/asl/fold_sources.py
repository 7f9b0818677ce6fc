"""The source map and comments of folded states: every source line of a folded state is kept.

Takes the source map (state name -> file, lines and what the state does; edited in place); gives, as
states fold into others, entries that list every part each state now stands for (`sources`), and at the
end each such state's `Comment` naming those parts and their lines.
"""

from __future__ import annotations

from typing import Any

SourceMap = dict[str, dict[str, Any]]


class Sources:
    def __init__(self, source_map: SourceMap) -> None:
        self.map = source_map

    def take(self, folded: str) -> list[dict[str, Any]]:
        """The parts of a state that disappears (its entry leaves the map)."""
        return _parts(self.map.pop(folded, None))

    def add(self, into: str, theirs: list[dict[str, Any]], after: bool) -> None:
        """`theirs` join the parts of `into`, after its own or before them."""
        entry = self.map.get(into)
        if entry is None or not theirs:
            return
        mine = _parts(entry)
        parts = [*mine, *theirs] if after else [*theirs, *mine]
        entry["line"] = min(p["line"] for p in parts)
        entry["end_line"] = max(p["end_line"] for p in parts)
        entry["what"] = "; ".join(p["what"] for p in parts)
        entry["sources"] = parts

    def new(self, name: str, file: str, parts: list[dict[str, Any]]) -> None:
        """A new state `name` stands for `parts` (listed in source order)."""
        if not parts:
            return
        parts = sorted(parts, key=lambda p: (p["line"], p["end_line"]))
        self.map[name] = {"file": file, **parts[0]}
        if len(parts) > 1:
            self.add(name, parts[1:], after=True)

    def comment(self, definition: dict[str, Any]) -> None:
        """Each state that stands for several parts names them in its Comment."""
        for name, entry in self.map.items():
            state = _find(definition, name)
            if state is not None and "sources" in entry:
                parts = dict.fromkeys(f"{p['what']} ({_lines(p)})" for p in entry["sources"])  # copies once
                state["Comment"] = "; ".join(parts)


def _parts(entry: dict[str, Any] | None) -> list[dict[str, Any]]:
    if entry is None:
        return []
    if "sources" in entry:
        return list(entry["sources"])
    return [{"line": entry["line"], "end_line": entry["end_line"], "what": entry["what"]}]


def _lines(part: dict[str, Any]) -> str:
    start, end = part["line"], part["end_line"]
    return f"line {start}" if end <= start else f"lines {start}-{end}"


def _find(scope: dict[str, Any], name: str) -> dict[str, Any] | None:
    states = scope["States"]
    if name in states:
        return states[name]  # type: ignore[no-any-return]
    for state in states.values():
        for inner in [*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
            found = _find(inner, name)
            if found is not None:
                return found
    return None
