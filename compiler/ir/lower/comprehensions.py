"""Comprehensions that run durable operations, rewritten as the loops they mean.

`[context.step(work(i)) for i in items if i]` becomes `_dc_tN = []`, then
`for i in items: if i: _dc_tN.append(<step result>)`, so each operation is a statement in the loop that
really runs it, once per element, in order. Set and dict comprehensions build with `.add` and
subscript assignment; a generator expression is drained into a list, as its consumers (sum, list,
tuple, join) drain it immediately. The loop variable is no longer private to the comprehension.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.ir.lower.exprs import lower_expr
from durable_compile.ir.lower.ops import Scope

if TYPE_CHECKING:
    from durable_compile.ir.lower.stmts import Lowerer

COMPREHENSIONS = frozenset({cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp})
Comprehension = cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp


def desugar(lowerer: Lowerer, comp: Comprehension, temp: ir.Name, scope: Scope) -> list[n.Stmt]:
    """The statements that build `temp` the way the comprehension builds its value."""
    span = lowerer.env.span(comp)
    empty: ir.Expr
    if isinstance(comp, cst.DictComp):
        empty = ir.DictExpr("{}", span, ())
    elif isinstance(comp, cst.SetComp):
        empty = ir.Call("set()", span, ir.Name("set", span, "set"), (), (), "builtins.set")
    else:
        empty = ir.ListExpr("[]", span, ())
    init = n.Assign(span, (temp,), empty)
    body = (init, *_loop(lowerer, comp, comp.for_in, temp, scope))
    return [n.Desugared(span, "comprehension", temp, lowerer.env.code(comp), body)]


def _loop(lowerer: Lowerer, comp: Comprehension, for_in: cst.CompFor, temp: ir.Name,
          scope: Scope) -> list[n.Stmt]:
    env = lowerer.env
    iter_ops = lowerer.hoist([for_in.iter], scope)
    body = _loop(lowerer, comp, for_in.inner_for_in, temp, scope) if for_in.inner_for_in else \
        _leaf(lowerer, comp, temp, scope)
    for cond in reversed(for_in.ifs):
        body = [*lowerer.hoist([cond.test], scope), n.If(env.span(cond), lower_expr(cond.test, env), tuple(body), ())]
    loop = n.For(env.span(for_in), lower_expr(for_in.target, env), lower_expr(for_in.iter, env), tuple(body), ())
    return [*iter_ops, loop]


def _leaf(lowerer: Lowerer, comp: Comprehension, temp: ir.Name, scope: Scope) -> list[n.Stmt]:
    env = lowerer.env
    if isinstance(comp, cst.DictComp):
        ops = lowerer.hoist([comp.key, comp.value], scope)
        key, value = lower_expr(comp.key, env), lower_expr(comp.value, env)
        target = ir.Subscript(f"{temp.code}[{key.code}]", key.span, temp, key)
        return [*ops, n.Assign(key.span, (target,), value)]
    ops = lowerer.hoist([comp.elt], scope)
    elt = lower_expr(comp.elt, env)
    method = "add" if isinstance(comp, cst.SetComp) else "append"
    func = ir.Attr(f"{temp.code}.{method}", elt.span, temp, method)
    call = ir.Call(f"{temp.code}.{method}({elt.code})", elt.span, func, (elt,), (), None)
    return [*ops, n.ExprStmt(elt.span, call)]
