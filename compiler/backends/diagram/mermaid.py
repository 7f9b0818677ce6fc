"""Mermaid flowchart text from an operation graph (GitHub renders it in pull requests).

Decisions are diamonds, loops hexagons, durable operations rectangles (waits and callbacks slanted),
and the regions of parallel branches, map items and child contexts are `subgraph` blocks.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from durable_compile.backends.diagram.labels import DURABLE, label_lines, nested, shape

BRACKETS = {
    "terminal": ('(["', '"])'), "decision": ('{"', '"}'), "loop": ('{{"', '"}}'), "stop": ('>"', '"]'),
    "task": ('["', '"]'), "pause": ('[/"', '"/]'), "group": ('[["', '"]]'), "plain": ('("', '")'),
}
ESCAPES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;"))


def escape(text: str) -> str:
    for raw, code in ESCAPES:
        text = text.replace(raw, code)
    return text


def _node(node_id: str, data: dict[str, Any]) -> str:
    opening, closing = BRACKETS[shape(data["kind"])]
    text = "<br/>".join(escape(line) for line in label_lines(data))
    return f"{node_id}{opening}{text}{closing}"


def _group(node_id: str, data: dict[str, Any]) -> tuple[str, str]:
    return f'subgraph sg_{node_id}["{escape(data["kind"] + " " + data["name"])}"]', "end"


def _body(g: nx.DiGraph, prefix: str, depth: int) -> tuple[list[str], list[str]]:
    lines = nested(g, _node, _group, prefix, depth, "    ")
    for source, target, data in g.edges(data=True):
        label = f'|"{escape(data["label"])}"|' if data["label"] else ""
        lines.append(f"    {prefix}{source} -->{label} {prefix}{target}")
    durable = [prefix + node_id for node_id, d in g.nodes(data=True) if d["kind"] in DURABLE]
    return lines, durable


def to_mermaid(graphs: list[nx.DiGraph]) -> str:
    """One flowchart; several handlers of one file each get a top-level subgraph and an id prefix."""
    lines = [f"%% {g.graph['handler']} ({g.graph['file']})" for g in graphs] + ["flowchart TD"]
    durable: list[str] = []
    for index, g in enumerate(graphs):
        prefix = f"h{index}_" if len(graphs) > 1 else ""
        if prefix:
            lines.append(f'    subgraph {prefix}handler["handler {escape(g.graph["handler"])}"]')
        body, found = _body(g, prefix, 2 if prefix else 1)
        lines += body
        durable += found
        if prefix:
            lines.append("    end")
    lines.append("    classDef durable fill:#fff4dd,stroke:#d08c00")
    if durable:
        lines.append(f"    class {','.join(durable)} durable")
    return "\n".join(lines) + "\n"
