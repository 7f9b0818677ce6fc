"""Mermaid flowchart text from an operation graph (GitHub renders it in pull requests).

Decisions are diamonds, loops hexagons, durable operations rectangles (waits and callbacks slanted),
and the regions of parallel branches, map items and child contexts are `subgraph` blocks.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from durable_compile.backends.diagram.labels import DURABLE, children_by_parent, label_lines, shape

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


def _region(g: nx.DiGraph, groups: dict[str | None, list[str]], parent: str | None, depth: int,
            prefix: str) -> list[str]:
    pad = "    " * depth
    lines: list[str] = []
    for node_id in groups.get(parent, []):
        lines.append(pad + _node(prefix + node_id, g.nodes[node_id]))
        if node_id in groups:
            data = g.nodes[node_id]
            title = escape(f"{data['kind']} {data['name']}")
            lines.append(f'{pad}subgraph sg_{prefix}{node_id}["{title}"]')
            lines.extend(_region(g, groups, node_id, depth + 1, prefix))
            lines.append(f"{pad}end")
    return lines


def _body(g: nx.DiGraph, prefix: str, depth: int) -> tuple[list[str], list[str]]:
    lines = _region(g, children_by_parent(g), None, depth, prefix)
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
