"""What every diagram shows for a node: its text, its shape family, and the nesting of regions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import networkx as nx

DURABLE = frozenset({"step", "wait", "create_callback", "callback_result", "wait_for_callback",
                     "wait_for_condition", "parallel", "map", "invoke", "child_context"})
MAX_TEXT = 60

#: shape family per node kind; each backend maps a family onto its own syntax
SHAPES: dict[str, str] = {
    "start": "terminal", "end": "terminal", "join": "terminal", "return": "terminal",
    "if": "decision", "match": "decision", "for": "loop", "while": "loop", "raise": "stop",
    "step": "task", "invoke": "task", "wait": "pause", "wait_for_condition": "pause",
    "create_callback": "pause", "callback_result": "pause", "wait_for_callback": "pause",
    "parallel": "group", "map": "group", "child_context": "group", "call": "group",
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


def nested(g: nx.DiGraph, node_line: Callable[[str, dict[str, Any]], str],
           group: Callable[[str, dict[str, Any]], tuple[str, str]], prefix: str, depth: int,
           indent: str) -> list[str]:
    """Node declarations region by region: each operation that runs nested regions is followed by a
    group (`group` gives its opening and closing lines) holding their nodes, recursively."""
    groups = children_by_parent(g)

    def walk(parent: str | None, level: int) -> list[str]:
        pad = indent * level
        lines: list[str] = []
        for node_id in groups.get(parent, []):
            data = g.nodes[node_id]
            lines.append(pad + node_line(prefix + node_id, data))
            if node_id in groups:
                opening, closing = group(prefix + node_id, data)
                lines += [pad + opening, *walk(node_id, level + 1), pad + closing]
        return lines

    return walk(None, depth)
