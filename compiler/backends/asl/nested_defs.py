"""The handler's nested defs that code run by the steps function calls.

A step body or a lifted computation may call a plain function the handler defines (`def bump(x): return
x + limit`). The steps function runs that code in a function of its own, where the handler's nested defs
do not exist: each def it calls, and each def those call, is written into it as the handler wrote it,
and the handler locals the defs read when they run (their free variables, found by `symtable`, as
Python resolves them) travel in the payload with the code's own reads. A def is refused (DUR820) where
the steps function could not give it the same meaning: its name is bound twice in the handler (a second
def, or an assignment), it writes a `nonlocal`, or it reads the durable context.
"""

from __future__ import annotations

import symtable
import textwrap
import weakref
from typing import TYPE_CHECKING

from durable_compile.backends.asl.emit_support import Unsupported
from durable_compile.backends.asl.module_facts import loaded_names
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: each emitter's index of nested defs, for the function it emits (an inlined helper's body is another)
_INDEX: weakref.WeakKeyDictionary[Emitter, tuple[n.Function, dict[str, list[n.LocalDef]]]] = \
    weakref.WeakKeyDictionary()


def called_defs(em: Emitter, code: str, span: Span, skip: str = "") -> tuple[list[str], set[str]]:
    """(the source lines of the nested defs `code` calls, directly or through each other, in source order;
    the handler locals they read). `skip`: the qualname of a def `code` already holds (a step's own)."""
    defs = _defs_by_name(em)
    found: dict[str, n.LocalDef] = {}
    todo = sorted(loaded_names([textwrap.dedent(code)]) & defs.keys())
    while todo:
        name = todo.pop()
        candidates = defs[name]
        if len(candidates) > 1 or name in em.locals:
            raise Unsupported(span, f"{name}() is bound more than once in the handler; the steps function "
                                    "cannot tell which one this code calls")
        stmt = candidates[0]
        if stmt.qualname in found or stmt.qualname == skip:
            continue
        found[stmt.qualname] = stmt
        todo.extend(sorted((loaded_names(source_of(em, stmt)) & defs.keys()) - {name}))
    lines: list[str] = []
    reads: set[str] = set()
    for stmt in sorted(found.values(), key=lambda s: s.span.line):
        source = source_of(em, stmt)
        lines += source
        reads |= _free_names(em, "\n".join(source), stmt, span)
    return lines, reads & em.locals


def source_of(em: Emitter, stmt: n.LocalDef) -> list[str]:
    """The def's lines as written (decorators included), dedented."""
    if not em.source_lines:
        raise Unsupported(em.handler.function.span, f"the nested function {stmt.qualname} could not be found")
    name = stmt.qualname.rsplit(".", 1)[-1]
    tree = next((d for d in em.module_functions.get(name, ()) if d.lineno == stmt.span.line), None)
    first = min((d.lineno for d in tree.decorator_list), default=stmt.span.line) if tree else stmt.span.line
    lines = em.source_lines[first - 1:stmt.span.end_line]
    return textwrap.dedent("\n".join(lines)).splitlines()


def free_reads(em: Emitter, stmt: n.LocalDef, span: Span) -> set[str]:
    """The handler locals the def reads when it runs (its free variables)."""
    return _free_names(em, "\n".join(source_of(em, stmt)), stmt, span) & em.locals


def _defs_by_name(em: Emitter) -> dict[str, list[n.LocalDef]]:
    """The handler's nested defs by simple name, indexed once per handler (every step asks)."""
    cached = _INDEX.get(em)
    if cached is not None and cached[0] is em.handler.function:
        return cached[1]
    found: dict[str, list[n.LocalDef]] = {}
    for stmt in n.walk(em.handler.function.body):
        if isinstance(stmt, n.LocalDef):
            found.setdefault(stmt.qualname.rsplit(".", 1)[-1], []).append(stmt)
    _INDEX[em] = (em.handler.function, found)
    return found


def _free_names(em: Emitter, source: str, stmt: n.LocalDef, span: Span) -> set[str]:
    """Names the def (and the functions inside it) read from outside itself: written at module level,
    Python resolves them as globals, which here are the handler's locals (or the module's names)."""
    try:
        table = symtable.symtable(source, stmt.qualname, "exec")
    except SyntaxError as err:  # `nonlocal x`: no binding for it at module level
        raise Unsupported(span, f"{stmt.qualname.rsplit('.', 1)[-1]}() cannot run in the steps function: "
                                f"{err.msg}") from None
    found: set[str] = set()
    todo = list(table.get_children())
    while todo:
        scope = todo.pop()
        todo.extend(scope.get_children())
        symbols = scope.get_symbols()
        if any(s.is_declared_global() and s.is_assigned() for s in symbols):
            raise Unsupported(span, f"{stmt.qualname.rsplit('.', 1)[-1]}() assigns a global; the steps "
                                    "function runs in another process")
        found |= {s.get_name() for s in symbols if s.is_referenced() and s.is_global()}
    context = em.handler.function.context
    if context and context in found:
        raise Unsupported(span, f"{stmt.qualname.rsplit('.', 1)[-1]}() reads the durable context "
                                f"{context!r}; the steps function has none")
    return found
