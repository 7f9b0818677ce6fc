"""Facts about the body of a function that receives the durable context, read before it is inlined.

Takes a lowered region (`n.Function`); gives the names its own code binds (nested regions excluded),
where it uses its context other than for durable calls and calls of such functions (`context_escape`),
and where it changes a parameter in place (`mutated`). Reads code, never runs it.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator

from durable_compile.backends.asl.module_facts import bound_names
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span

#: methods that change their list, dict or set in place
MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse", "update",
                      "setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
                      "symmetric_difference_update", "__setitem__", "__delitem__"})


def own_statements(body: tuple[n.Stmt, ...]) -> Iterator[n.Stmt]:
    """Every statement of a body, depth first, without the bodies of nested regions (child contexts,
    branches, other helpers)."""
    for stmt in body:
        yield stmt
        for block in n.blocks(stmt):
            yield from own_statements(block)


def own_bound(region: n.Function) -> set[str]:
    """The names the region's own statements bind (its parameters only where it assigns them)."""
    return {name for stmt in own_statements(region.body) for name in bound_names(stmt)}


def own_locals(region: n.Function, params: set[str]) -> set[str]:
    """The region's locals: its parameters (`params`: every one, keyword-only ones too) and what its own
    statements bind, without its context."""
    return (params | own_bound(region)) - {region.context or ""}


def context_escape(region: n.Function) -> tuple[Span, str] | None:
    """Where the region uses its context other than to call durable operations, log, or hand it to a
    function of the module that receives it: the statement and what it does."""
    context = region.context
    if not context:
        return None
    for stmt in own_statements(region.body):
        if isinstance(stmt, n.Operation):
            continue
        allowed = 1 if isinstance(stmt, n.HelperCall) else 0  # the helper call's own context argument
        for code in _codes(stmt):
            if _uses(code, context) > allowed:
                return stmt.span, f"uses its durable context in {_first_line(code)!r} (line {stmt.span.line})"
            allowed = 0
    return None


def mutated(region: n.Function, param: str, list_arg: bool) -> int | None:
    """The first line where the region's own code changes the object `param` refers to in place: a
    mutating method, an item or attribute assigned or deleted, `+=` of a list (any `+=` when `list_arg`:
    the argument is known to be a list)."""
    for stmt in own_statements(region.body):
        if isinstance(stmt, n.AugAssign) and isinstance(stmt.target, ir.Name) and stmt.target.id == param \
                and (list_arg or stmt.value.code.lstrip().startswith("[")):
            return stmt.span.line
        for code in _codes(stmt):
            if _changes(code, param):
                return stmt.span.line
    return None


def _codes(stmt: n.Stmt) -> Iterator[str]:
    """The Python text of a statement's own expressions (targets included), in field order."""
    if isinstance(stmt, n.OpaqueStmt):
        yield stmt.code
        return
    if isinstance(stmt, n.Assign):  # targets and value as one statement, so that stores are seen as stores
        yield " = ".join([*(t.code for t in stmt.targets), stmt.value.code])
        return
    if isinstance(stmt, n.AugAssign):
        yield f"{stmt.target.code} {stmt.op}= {stmt.value.code}"
        return
    if isinstance(stmt, n.Try):
        yield from (h.type.code for h in stmt.handlers if h.type is not None)
        return
    if isinstance(stmt, n.Match):
        yield stmt.subject.code
        yield from (c.guard.code for c in stmt.cases if c.guard is not None)
        return
    for field in dataclasses.fields(stmt):
        value = getattr(stmt, field.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, ir.Expr):
                yield item.code
            elif isinstance(item, ir.Keyword):
                yield item.value.code


def _parse(code: str) -> ast.AST | None:
    try:
        return ast.parse(code.strip())
    except SyntaxError:
        return None


def _uses(code: str, name: str) -> int:
    """How many times `code` reads `name` other than as `name.logger`."""
    tree = _parse(code)
    if tree is None:
        return 0
    logger = {id(node.value) for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and node.attr == "logger" and isinstance(node.value, ast.Name)}
    return sum(1 for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name
               and id(node) not in logger)


def _changes(code: str, name: str) -> bool:
    tree = _parse(code)
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS \
                and _base(node.func.value) == name:
            return True
        if isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del) \
                and _base(node.value) == name:
            return True
    return False


def _base(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _first_line(code: str) -> str:
    return code.strip().splitlines()[0][:60] if code.strip() else code
