"""Statements the IR keeps as written (`assert`, `del`, `global`, imports, `with`) -> states, or a DUR820
naming the construct and what to write instead; calls of functions that receive the context (emit_helper).

Takes a statement the emitter has no visitor for; gives the name of its first state. `assert test, msg`
is `if not test: raise AssertionError(msg)` (Lambda does not run Python with -O); `del` of items or
attributes runs in the steps function, which changes the object as Python does (a missing key raises
KeyError there); `del` of locals is no state where nothing can read them before they are bound again
(del_flow.py); an import is no state, its names those of a module import (local_imports.py); `with`
blocks are emit_with.py's; `global`/`nonlocal` of names the handler never assigns declares nothing the
machine needs. Anything else is refused with the reason and a rewrite that compiles.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from durable_compile.backends.asl import del_flow, emit_helper, emit_with, local_imports
from durable_compile.backends.asl.emit_support import Unsupported
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: what to write instead of a construct that does not compile
HINTS: dict[str, str] = {}


def statement(em: Emitter, stmt: n.Stmt, nxt: str) -> str:
    if isinstance(stmt, n.OpaqueStmt):
        parsed = _parse(stmt.code)
        if isinstance(parsed, ast.Assert):
            return _assert(em, stmt, parsed, nxt)
        if isinstance(parsed, ast.Delete) and not any(isinstance(t, ast.Name) for t in parsed.targets):
            bases = sorted({b for t in parsed.targets if (b := _base(t)) is not None})
            return em.compute([stmt.code], stmt.span, nxt, bases, "del")
        if isinstance(parsed, ast.Delete):
            return _del(em, stmt, parsed, nxt)
        if isinstance(parsed, ast.Import | ast.ImportFrom):
            why = local_imports.refusal(em.source_text, stmt.code, stmt.span.line)
            if why is not None:
                raise Unsupported(stmt.span, f"{_what(stmt.code)}: {why}")
            if stmt.code.strip() not in em.out.imports:
                em.out.imports.append(stmt.code.strip())
            return nxt
        if isinstance(parsed, ast.Global | ast.Nonlocal) and not set(parsed.names) & em.locals:
            return nxt
        raise Unsupported(stmt.span, f"{_what(stmt.code)} is not supported by to-asl: {_hint(stmt.reason)}")
    if isinstance(stmt, n.HelperCall):
        return emit_helper.helper_call(em, stmt, nxt)
    if isinstance(stmt, n.With):
        return emit_with.with_block(em, stmt, nxt)
    raise Unsupported(stmt.span, f"{type(stmt).__name__} statements are not supported by to-asl")


def _del(em: Emitter, stmt: n.OpaqueStmt, node: ast.Delete, nxt: str) -> str:
    """`del x` of locals: no state, when `x` is surely bound there and nothing can read it before it is
    bound again (del_flow.py); the workflow variable keeps its value, which nothing reads."""
    if not all(isinstance(t, ast.Name) for t in node.targets):
        raise Unsupported(stmt.span, f"{_what(stmt.code)} deletes names and items at once: write one `del` for "
                                     "the names and one for the items")
    found = del_flow.refusal(ast.parse(em.source_text), stmt.span.line, stmt.span.column - 1)
    if found is not None:
        raise Unsupported(stmt.span, f"{_what(stmt.code)}: {found[1]}; the state machine cannot unbind a "
                                     "variable: assign None instead, or do not read it after the del")
    return nxt


def _assert(em: Emitter, stmt: n.OpaqueStmt, node: ast.Assert, nxt: str) -> str:
    """`assert test, msg` as the `if` that raises AssertionError(msg)."""
    span = stmt.span
    func = ir.Name("AssertionError", span, "AssertionError")
    args = () if node.msg is None else (ir.Expr(ast.unparse(node.msg), span),)
    code = f"AssertionError({', '.join(a.code for a in args)})"
    raised = n.Raise(span, ir.Call(code, span, func, args, (), None), None)
    check = n.If(span, ir.Expr(f"not ({ast.unparse(node.test)})", span), (raised,), ())
    return em.stmt(check, nxt)


def _parse(code: str) -> ast.stmt | None:
    try:
        body = ast.parse(code.strip()).body
    except SyntaxError:
        return None
    return body[0] if len(body) == 1 else None


def _base(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _what(code: str) -> str:
    first = code.strip().splitlines()[0] if code.strip() else code
    return repr(first[:60])


def _hint(reason: str) -> str:
    if reason in ("Global", "Nonlocal"):
        return "the handler assigns the name, and the state machine has no module or enclosing variables to change"
    return HINTS.get(reason, "rewrite it with the statements the README lists as compiled")
