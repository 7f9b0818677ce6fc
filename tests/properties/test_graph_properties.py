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
    assert not [node["name"] for node in doc["nodes"] if "_dc_t" in node["name"]], "labels hide temporaries"
    assert _ends(doc), "the handler's end (or a raise) is reachable from its start"
    assert {e["source"] for e in doc["edges"]} | {e["target"] for e in doc["edges"]} <= drawn
    assert api.emit_graph(lowered, "mermaid") == api.emit_graph(lowered, "mermaid")


def _ends(doc: dict) -> bool:  # type: ignore[type-arg]
    """From the handler's start, its end or a raise is reachable (no path is lost)."""
    succ: dict[str, list[str]] = {}
    for edge in doc["edges"]:
        succ.setdefault(edge["source"], []).append(edge["target"])
    kinds = {node["id"]: node["kind"] for node in doc["nodes"]}
    start = doc["nodes"][0]["id"]
    seen, stack = {start}, [start]
    while stack:
        for nxt in succ.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return any(kinds[x] in ("end", "raise") and x in seen for x in kinds)


@settings(max_examples=30, deadline=None)
@given(handlers)
def test_operation_ids_follow_source_order(code: str) -> None:
    (handler,) = api.lower_source(SourceFile("gen.py", code)).handlers
    lines = [s.span.line for s in n.walk(handler.function.body) if isinstance(s, n.Operation)]
    ids = [int(s.id[2:]) for s in n.walk(handler.function.body) if isinstance(s, n.Operation)]
    assert ids == sorted(ids)
    assert len(lines) == len(set(ids))
