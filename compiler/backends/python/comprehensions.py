"""The loops the lowering writes for comprehensions, reshaped for the Python backend.

Takes the `for` statement of a comprehension that runs durable operations (compiler/ir/lower/
comprehensions.py) and the temporary that collects its value; gives the loop the generated function runs.
The lowering builds every value as a list, for the state machine; Python keeps more: a generator expression
runs its operations only as it is consumed (so its loop yields each element: `_dc_tN.append(e)` is written
`yield e`, and the early stop of a nested loop under `any`/`all` is left to the consumer, which stops
pulling), and a set comprehension builds a set (one `add` per element, where the lowering's list tests
`not in` first). Guarantee: the same operations run in the same order as in the handler. Also here: how
the made-up statements of those loops are recognized and written (`comprehension_init`, `synthesized`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable as Fn

from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

TEMP = re.compile(r"_dc_t\d+\Z")


def is_temp(expr: ir.Expr | None) -> bool:
    return isinstance(expr, ir.Name) and TEMP.match(expr.id) is not None and expr.code == expr.id


def comprehension_init(stmt: n.Stmt) -> str | None:
    """The temporary of `_dc_tN = []` (or `{}`, `set()`): a comprehension that runs operations, as a loop."""
    if isinstance(stmt, n.Assign) and len(stmt.targets) == 1 and is_temp(stmt.targets[0]):
        if isinstance(stmt.value, ir.ListExpr | ir.DictExpr | ir.Call) and not stmt.value.code.startswith("_dc"):
            return stmt.targets[0].id  # type: ignore[attr-defined]
    return None


def comprehension_loop(body: tuple[n.Stmt, ...], index: int) -> int | None:
    """The index of the loop of the comprehension whose result list starts at `body[index]`, if it does."""
    init = body[index]
    if comprehension_init(init) is None:
        return None
    for later in range(index + 1, len(body)):
        stmt = body[later]
        if not init.span.line <= stmt.span.line <= init.span.end_line:
            return None
        if isinstance(stmt, n.For):
            return later
    return None


def synthesized(stmt: n.Stmt, expr: Fn[[ir.Expr], str]) -> str | None:
    """The text of a statement the lowering made up (a comprehension's loop), or None for written ones."""
    init = comprehension_init(stmt)
    if init is not None and isinstance(stmt, n.Assign):
        return f"{init} = {stmt.value.code}"
    if isinstance(stmt, n.ExprStmt) and isinstance(stmt.value, ir.Call) and isinstance(stmt.value.func, ir.Attr):
        owner = stmt.value.func.value
        if is_temp(owner) and len(stmt.value.args) == 1:  # `_dc_tN.append(element)`, `_dc_tN.add(element)`
            element = expr(stmt.value.args[0])
            # In-place operators instead of method calls: the same list/set, and no call for the guard's
            # profile hook to see (a builtin method call costs it two events per element).
            grow = {"append": f"+= [{element}]", "add": f"|= {{{element}}}"}.get(stmt.value.func.attr)
            return f"{owner.code} {grow}" if grow else f"{owner.code}.{stmt.value.func.attr}({element})"
    if isinstance(stmt, n.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Subscript):
        target = stmt.targets[0]
        if is_temp(target.value):  # `_dc_tN[key] = value`
            return f"{target.value.code}[{expr(target.index)}] = {expr(stmt.value)}"
    return None


def _is(expr: ir.Expr, temp: str) -> bool:
    return isinstance(expr, ir.Name) and expr.id == temp


def appended(stmt: n.Stmt, temp: str) -> ir.Expr | None:
    """The element of `temp.append(element)`, if `stmt` is that."""
    if not (isinstance(stmt, n.ExprStmt) and isinstance(stmt.value, ir.Call) and len(stmt.value.args) == 1):
        return None
    func = stmt.value.func
    if isinstance(func, ir.Attr) and func.attr == "append" and _is(func.value, temp):
        return stmt.value.args[0]
    return None


def yielded(stmt: n.Stmt, generators: set[str]) -> ir.Expr | None:
    """The element a generator's loop yields at `stmt`, if it is an append to one of `generators`."""
    for temp in generators:
        element = appended(stmt, temp)
        if element is not None:
            return element
    return None


def _map(body: tuple[n.Stmt, ...], change: object) -> tuple[n.Stmt, ...]:
    out: list[n.Stmt] = []
    for stmt in body:
        new = change(stmt)  # type: ignore[operator]
        if new is None:
            continue
        if isinstance(new, n.For | n.If):
            new = dataclasses.replace(new, body=_map(new.body, change), orelse=_map(new.orelse, change))
        out.append(new)
    return tuple(out)


def as_generator(loop: n.For, temp: str) -> n.For:
    """The loop without `if temp: break` (a nested loop stopping its outer one under any/all)."""
    def change(stmt: n.Stmt) -> n.Stmt | None:
        if isinstance(stmt, n.If) and _is(stmt.test, temp) and [type(s) for s in stmt.body] == [n.Break]:
            return None
        return stmt
    return dataclasses.replace(loop, body=_map(loop.body, change))


def as_set(loop: n.For, temp: str) -> n.For:
    """The loop with `if e not in temp: temp.append(e)` written `temp.add(e)`."""
    def change(stmt: n.Stmt) -> n.Stmt | None:
        if isinstance(stmt, n.If) and not stmt.orelse and len(stmt.body) == 1 and isinstance(stmt.test, ir.Compare) \
                and stmt.test.ops == ("not in",) and _is(stmt.test.comparators[0], temp):
            element = appended(stmt.body[0], temp)
            if element is not None:
                call = stmt.body[0].value  # type: ignore[attr-defined]
                func = dataclasses.replace(call.func, attr="add")
                return dataclasses.replace(stmt.body[0], value=dataclasses.replace(call, func=func))
        return stmt
    return dataclasses.replace(loop, body=_map(loop.body, change))
