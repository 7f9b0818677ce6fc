"""Graphviz DOT text from an operation graph; regions become clusters."""

from __future__ import annotations

from typing import Any

import networkx as nx

from durable_compile.backends.diagram.labels import DURABLE, label_lines, nested, shape

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


def _group(node_id: str, data: dict[str, Any]) -> tuple[str, str]:
    return f"subgraph cluster_{node_id} {{ label={quote(data['kind'] + ' ' + data['name'])}; style=dashed;", "}"


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
        lines += nested(g, _node, _group, prefix, 2 if prefix else 1, "  ")
        for source, target, data in g.edges(data=True):
            label = f" [label={quote(data['label'])}]" if data["label"] else ""
            lines.append(f"  {prefix}{source} -> {prefix}{target}{label};")
        if prefix:
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
