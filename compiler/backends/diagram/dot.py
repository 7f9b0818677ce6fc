"""Graphviz DOT text from an operation graph; regions become clusters."""

from __future__ import annotations

from typing import Any

import networkx as nx

from durable_compile.backends.diagram.labels import DURABLE, children_by_parent, label_lines, shape

SHAPES = {
    "terminal": "shape=box, style=\"rounded\"", "decision": "shape=diamond", "loop": "shape=hexagon",
    "stop": "shape=cds", "task": "shape=box", "pause": "shape=parallelogram", "group": "shape=box3d",
    "plain": "shape=note",
}


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(node_id: str, data: dict[str, Any]) -> str:
    attrs = SHAPES[shape(data["kind"])]
    if data["kind"] in DURABLE:
        attrs += ', style="filled", fillcolor="#fff4dd"'
    return f"{node_id} [label={quote(chr(10).join(label_lines(data)))}, {attrs}];"


def _region(g: nx.DiGraph, groups: dict[str | None, list[str]], parent: str | None, depth: int,
            prefix: str) -> list[str]:
    pad = "  " * depth
    lines: list[str] = []
    for node_id in groups.get(parent, []):
        lines.append(pad + _node(prefix + node_id, g.nodes[node_id]))
        if node_id in groups:
            data = g.nodes[node_id]
            lines.append(f"{pad}subgraph cluster_{prefix}{node_id} {{")
            lines.append(f"{pad}  label={quote(data['kind'] + ' ' + data['name'])}; style=dashed;")
            lines.extend(_region(g, groups, node_id, depth + 1, prefix))
            lines.append(f"{pad}}}")
    return lines


def to_dot(graphs: list[nx.DiGraph]) -> str:
    """One DOT digraph; several handlers of one file each become a top-level cluster with an id prefix."""
    title = graphs[0].graph["handler"] if len(graphs) == 1 else graphs[0].graph["file"]
    lines = [f"digraph {quote(title)} {{", "  rankdir=TB;", '  node [fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for index, g in enumerate(graphs):
        prefix = f"h{index}_" if len(graphs) > 1 else ""
        if prefix:
            lines.append(f"  subgraph cluster_{prefix}handler {{")
            lines.append(f"    label={quote('handler ' + g.graph['handler'])};")
        lines += _region(g, children_by_parent(g), None, 2 if prefix else 1, prefix)
        for source, target, data in g.edges(data=True):
            label = f" [label={quote(data['label'])}]" if data["label"] else ""
            lines.append(f"  {prefix}{source} -> {prefix}{target}{label};")
        if prefix:
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
