"""Invariants of the front end over generated handlers: no crash, every operation drawn, valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings

from durable_compile import api
from durable_compile.ir import nodes as n
from durable_compile.source import SourceFile
from tests.properties.handlers import handlers

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "grammars" / "ir.schema.json").read_text())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(handlers)
def test_every_generated_handler_lowers_and_draws(code: str) -> None:
    lowered = api.lower_source(SourceFile("gen.py", code))
    assert not lowered.diagnostics
    (handler,) = lowered.handlers
    operations = [s for s in n.walk(handler.function.body) if isinstance(s, n.Operation)]
    doc = json.loads(api.emit_graph(lowered, "json"))
    jsonschema.validate(doc, SCHEMA)
    drawn = {node["id"] for node in doc["nodes"]}
    assert {op.id for op in operations} <= drawn
    assert doc["operations"] == len(operations)
    assert _reachable_or_dead(doc), "every node is reached from a start node, unless it is dead code"
    assert api.emit_graph(lowered, "mermaid") == api.emit_graph(lowered, "mermaid")


def _reachable_or_dead(doc: dict) -> bool:  # type: ignore[type-arg]
    """Walk from the start nodes and from dead-code heads (statements after return/raise/break/continue)."""
    succ: dict[str, list[str]] = {}
    indegree = {node["id"]: 0 for node in doc["nodes"]}
    for edge in doc["edges"]:
        succ.setdefault(edge["source"], []).append(edge["target"])
        indegree[edge["target"]] += 1
    roots = [node["id"] for node in doc["nodes"] if node["kind"] == "start" or indegree[node["id"]] == 0]
    seen, stack = set(roots), list(roots)
    while stack:
        for nxt in succ.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    dead_heads = [r for r in roots if doc["nodes"][0]["id"] != r and _kind(doc, r) not in ("start", "end")]
    return len(seen) == len(indegree) and all(_kind(doc, r) not in ("join",) for r in dead_heads)


def _kind(doc: dict, node_id: str) -> str:  # type: ignore[type-arg]
    return next(node["kind"] for node in doc["nodes"] if node["id"] == node_id)


@settings(max_examples=30, deadline=None)
@given(handlers)
def test_operation_ids_follow_source_order(code: str) -> None:
    (handler,) = api.lower_source(SourceFile("gen.py", code)).handlers
    lines = [s.span.line for s in n.walk(handler.function.body) if isinstance(s, n.Operation)]
    ids = [int(s.id[2:]) for s in n.walk(handler.function.body) if isinstance(s, n.Operation)]
    assert ids == sorted(ids)
    assert len(lines) == len(set(ids))
