"""What every diagram shows for a node: its text, its shape family, and the nesting of regions."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

DURABLE = frozenset({"step", "wait", "create_callback", "callback_result", "wait_for_callback",
                     "wait_for_condition", "parallel", "map", "invoke", "child_context"})
MAX_TEXT = 60

#: shape family per node kind; each backend maps a family onto its own syntax
SHAPES: dict[str, str] = {
    "start": "terminal", "end": "terminal", "join": "terminal", "return": "terminal",
    "if": "decision", "for": "loop", "while": "loop", "raise": "stop",
    "step": "task", "invoke": "task", "wait": "pause", "wait_for_condition": "pause",
    "create_callback": "pause", "callback_result": "pause", "wait_for_callback": "pause",
    "parallel": "group", "map": "group", "child_context": "group",
}


def shape(kind: str) -> str:
    return SHAPES.get(kind, "plain")


def shorten(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= MAX_TEXT else one_line[: MAX_TEXT - 1] + "…"


def label_lines(data: dict[str, Any]) -> list[str]:
    """The lines of text a node shows: the kind and name of an operation (or the construct), then its line."""
    kind, name = data["kind"], shorten(data["name"])
    if kind in ("start", "end", "join"):
        return [name]
    head = (kind if name == kind else f"{kind} {name}") if kind in DURABLE else name
    return [head, f"line {data['span'].line}"]


def children_by_parent(g: nx.DiGraph) -> dict[str | None, list[str]]:
    """Node ids grouped by the operation whose region holds them (None: the handler's own region)."""
    groups: dict[str | None, list[str]] = defaultdict(list)
    for node_id, data in g.nodes(data=True):
        groups[data["parent"]].append(node_id)
    return groups
