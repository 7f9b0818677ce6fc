"""Dump: the operation graph as JSON data (the `--format json` output, schema `grammars/ir.schema.json`).

Takes the networkx graph of one handler; gives plain dicts and lists in a stable order (nodes in id
order as built, edges in insertion order), so the JSON text is byte-identical across runs.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from durable_compile.ir import nodes as n

IR_VERSION = 1


def node_json(node_id: str, data: dict[str, Any]) -> dict[str, Any]:
    span = data["span"]
    out: dict[str, Any] = {
        "id": node_id, "kind": data["kind"], "name": data["name"], "line": span.line, "column": span.column,
        "end_line": span.end_line, "end_column": span.end_column, "parent": data["parent"],
    }
    if "code" in data:
        out["code"] = data["code"]
    op: n.Operation | None = data.get("op")
    if op is not None:
        out.update(_operation_json(op))
    return out


def _operation_json(op: n.Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "context": op.context,
        "name_expr": op.name.code if op.name is not None else None,
        "target": op.target.code if op.target is not None else None,
        "config": op.settings,
        "operands": {k.name: k.value.code for k in op.operands},
    }
    if op.callee is not None:
        out["callee"] = _callable_json(op.callee)
    if op.branches:
        out["branches"] = [_callable_json(b) for b in op.branches]
    return out


def _callable_json(c: n.Callable) -> dict[str, Any]:
    return {"form": c.form.value, "code": c.code, "function": c.function, "decorator": c.decorator,
            "name": c.name, "line": c.span.line}


def graph_json(g: nx.DiGraph) -> dict[str, Any]:
    """The JSON document for one handler's graph."""
    members: dict[str, list[str]] = {}
    for node_id, data in g.nodes(data=True):
        if data["parent"] is not None:
            members.setdefault(data["parent"], []).append(node_id)
    subgraphs = [
        {"id": node_id, "kind": data["kind"], "name": data["name"], "nodes": members[node_id]}
        for node_id, data in g.nodes(data=True) if node_id in members
    ]
    return {
        "version": IR_VERSION,
        "file": g.graph["file"],
        "handler": g.graph["handler"],
        "operations": g.graph["operations"],
        "nodes": [node_json(node_id, data) for node_id, data in g.nodes(data=True)],
        "edges": [{"source": a, "target": b, "label": d["label"]} for a, b, d in g.edges(data=True)],
        "subgraphs": subgraphs,
    }
