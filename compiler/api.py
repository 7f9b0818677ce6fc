"""The pipeline in a few lines: parse -> discover -> lower -> graph -> emit.

Every entry point returns data (text or documents) plus diagnostics; nothing here prints. The CLI and the
tests call these functions; later passes (lint, ASL, Python) hang off the same front end.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst
import networkx as nx

from durable_compile import diagnostics as dx
from durable_compile.backends.diagram.dot import to_dot
from durable_compile.backends.diagram.mermaid import to_mermaid
from durable_compile.backends.diagram.render import render
from durable_compile.backends.python import Emitted, Options, emit_module
from durable_compile.discover import HANDLER_DECORATORS, ModuleInfo, discover
from durable_compile.ir.dump import graph_json
from durable_compile.ir.graph import build_graph
from durable_compile.ir.lower import lower_module
from durable_compile.ir.nodes import Handler
from durable_compile.parse import parse
from durable_compile.source import SourceFile, Span

GRAPH_FORMATS = ("mermaid", "dot", "svg", "png", "json")
START = Span(1, 1, 1, 1)


@dataclass
class Lowered:
    """One file through the front end: its handlers' IR, or the diagnostics that stopped it."""

    source: SourceFile
    info: ModuleInfo | None = None
    handlers: list[Handler] = field(default_factory=list)
    diagnostics: list[dx.Diagnostic] = field(default_factory=list)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: syntax trees are acyclic and large, and full collections over
    them made compile time grow faster than the file (x15 for x10 operations)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(source: SourceFile) -> tuple[ModuleInfo | None, list[dx.Diagnostic]]:
    """Parse and discover one file."""
    module = parse(source)
    if not isinstance(module, cst.Module):
        return None, [module]
    return discover(module), []


def lower_source(source: SourceFile, handler: str | None = None) -> Lowered:
    """The IR of every handler in a file (or of the one named), with diagnostics when there is none."""
    with paused_gc():
        return _lower_source(source, handler)


def _lower_source(source: SourceFile, handler: str | None) -> Lowered:
    info, problems = load(source)
    result = Lowered(source, info, diagnostics=problems)
    if info is None:
        return result
    names = [h.qualname for h in info.handlers]
    if not names:
        looked = ", ".join(f"@{d}" for d in HANDLER_DECORATORS)
        message = f"no durable handler found (looked for {looked} from aws_durable_execution_sdk_python or " \
                  "durable_runtime, bare or called, and `name = durable_execution(fn)`)"
        result.diagnostics.append(dx.make("DUR998", source.path, START, message))
        return result
    if handler is not None and handler not in names:
        message = f"no durable handler named {handler!r}; this file has: {', '.join(names)}"
        result.diagnostics.append(dx.make("DUR997", source.path, START, message))
        return result
    try:
        handlers = lower_module(source.path, info, source.text)
    except RecursionError:
        result.diagnostics.append(dx.make("DUR999", source.path, START, "the handler is nested too deeply"))
        return result
    except Exception as err:  # a compiler bug must not become a traceback, nor stop other files
        message = f"internal error while lowering this file ({type(err).__name__}: {err}); please report it"
        result.diagnostics.append(dx.make("DUR999", source.path, START, message))
        return result
    result.handlers = [h for h in handlers if handler is None or h.function.qualname == handler]
    return result


def lower_file(path: str | Path, handler: str | None = None) -> Lowered:
    """`lower_source` of a file on disk."""
    return lower_source(SourceFile.read(path), handler)


def graphs(lowered: Lowered) -> list[nx.DiGraph]:
    return [build_graph(h) for h in lowered.handlers]


def graph_document(lowered: Lowered) -> dict[str, Any] | list[dict[str, Any]]:
    docs = [graph_json(g) for g in graphs(lowered)]
    return docs[0] if len(docs) == 1 else docs


def emit_graph(lowered: Lowered, fmt: str) -> bytes:
    """The diagram of a lowered file in one of `GRAPH_FORMATS` (svg/png need Graphviz)."""
    with paused_gc():
        return _emit_graph(lowered, fmt)


def _emit_graph(lowered: Lowered, fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(graph_document(lowered), indent=2, ensure_ascii=False) + "\n").encode()
    found = graphs(lowered)
    if fmt == "mermaid":
        return to_mermaid(found).encode()
    text = to_dot(found)
    return text.encode() if fmt == "dot" else render(text, fmt)


def emit_python(lowered: Lowered, options: Options | None = None) -> Emitted:
    """The instrumented module for `durable_runtime` (see `backends/python/emit.py`), or DUR890 diagnostics."""
    return emit_module(lowered.source, lowered.handlers, options or Options(handler=None))
