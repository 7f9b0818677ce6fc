"""Statements the IR keeps as written (`assert`, `del`, `global`, imports, `with`) -> states, or a DUR820
naming the construct and what to write instead; calls of functions that receive the context (emit_helper).

Takes a statement the emitter has no visitor for; gives the name of its first state. `assert test, msg`
is `if not test: raise AssertionError(msg)` (Lambda does not run Python with -O); `del` of items or
attributes runs in the steps function, which changes the object as Python does (a missing key raises
KeyError there); `global`/`nonlocal` of names the handler never assigns declares nothing the machine
needs. Anything else is refused with the reason and a rewrite that compiles.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from durable_compile.backends.asl import emit_helper
from durable_compile.backends.asl.emit_support import Unsupported
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: what to write instead of a construct that does not compile
HINTS = {
    "Import": "import at module level: the steps function sees the module's names",
    "ImportFrom": "import at module level: the steps function sees the module's names",
    "With": "a `with` block cannot hold its context manager open across the states of its body: move the "
            "block into a step, or call what it needs explicitly",
}


def statement(em: Emitter, stmt: n.Stmt, nxt: str) -> str:
    if isinstance(stmt, n.OpaqueStmt):
        parsed = _parse(stmt.code)
        if isinstance(parsed, ast.Assert):
            return _assert(em, stmt, parsed, nxt)
        if isinstance(parsed, ast.Delete) and not any(isinstance(t, ast.Name) for t in parsed.targets):
            bases = sorted({b for t in parsed.targets if (b := _base(t)) is not None})
            return em.compute([stmt.code], stmt.span, nxt, bases, "del")
        if isinstance(parsed, ast.Global | ast.Nonlocal) and not set(parsed.names) & em.locals:
            return nxt
        raise Unsupported(stmt.span, f"{_what(stmt.code)} is not supported by to-asl: {_hint(stmt.reason)}")
    if isinstance(stmt, n.HelperCall):
        return emit_helper.helper_call(em, stmt, nxt)
    if isinstance(stmt, n.With):
        raise Unsupported(stmt.span, f"{stmt.code.strip().rstrip(':')!r} is not supported by to-asl: {HINTS['With']}")
    raise Unsupported(stmt.span, f"{type(stmt).__name__} statements are not supported by to-asl")


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
    if reason == "Del":
        return "the state machine cannot unbind a variable: assign None instead"
    return HINTS.get(reason, "rewrite it with the statements the README lists as compiled")
