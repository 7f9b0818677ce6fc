"""Lower statements: libcst function bodies -> IR statement tuples, hoisting durable calls.

Durable calls are hoisted out of expressions in Python's evaluation order (arguments first, left to
right) into `Operation` statements whose results land in temporaries `_t1`, `_t2`, ...; a statement
that is exactly `target = ctx.op(...)` or `ctx.op(...)` becomes one operation with that target. A
`while` whose test contains a durable call is rewritten to `while True` with the test (and the `else`
block) at the top of the body, so the call still runs once per iteration.
"""

from __future__ import annotations

from collections.abc import Callable as Fn
from collections.abc import Sequence

import libcst as cst

from durable_compile.discover import FunctionInfo
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.ir.lower import ops
from durable_compile.ir.lower.env import Env
from durable_compile.ir.lower.exprs import lower_expr
from durable_compile.ir.lower.ops import Scope

NO_DESCENT = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.FunctionDef)


class _CallCollector(cst.CSTVisitor):
    """Durable calls inside one expression, innermost first (post-order), lambdas and comprehensions skipped."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.found: list[tuple[cst.Call, str]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return not isinstance(node, NO_DESCENT)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.Call):
            method = ops.durable_method(original_node, self.scope)
            if method is not None:
                self.found.append((original_node, method))


class Lowerer:
    """Lowers the orchestration regions of one module (implements `ops.RegionLowerer`)."""

    def __init__(self, env: Env) -> None:
        self.env = env

    # regions ------------------------------------------------------------------------------------------
    def function(self, fn: FunctionInfo, context: str | None) -> n.Function:
        scope = Scope(fn.qualname, {context} if context else set())
        body = self.block(fn.node.body, scope)
        return n.Function(fn.name, fn.qualname, fn.params, context, body, self.env.span(fn.node))

    def def_region(self, qualname: str, env: Env) -> n.Function | None:
        fn = env.info.functions.get(qualname)
        if fn is None or qualname in env.lowering:
            return None
        env.lowering.add(qualname)
        try:
            return self.function(fn, fn.context_param or (fn.params[0] if fn.params else None))
        finally:
            env.lowering.discard(qualname)

    def lambda_region(self, node: cst.Lambda, scope: Scope, env: Env) -> n.Function | None:
        params = tuple(p.name.value for p in (*node.params.posonly_params, *node.params.params))
        context = params[0] if params else None
        inner = Scope(scope.qualname, scope.contexts | ({context} if context else set()))
        body = [*self.hoist([node.body], inner), n.Return(env.span(node.body), lower_expr(node.body, env))]
        return n.Function("<lambda>", f"{scope.qualname}.<lambda>", params, context, tuple(body), env.span(node))

    # blocks -------------------------------------------------------------------------------------------
    def block(self, suite: cst.BaseSuite | Sequence[cst.BaseStatement], scope: Scope) -> tuple[n.Stmt, ...]:
        statements: Sequence[cst.CSTNode]
        if isinstance(suite, cst.IndentedBlock):
            statements = suite.body
        elif isinstance(suite, cst.SimpleStatementSuite):
            statements = suite.body
        else:
            statements = suite  # type: ignore[assignment]
        out: list[n.Stmt] = []
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    out.extend(self.small(small, scope))
            else:
                out.extend(self.small(stmt, scope))
        return tuple(out)

    def small(self, node: cst.CSTNode, scope: Scope) -> list[n.Stmt]:
        handler = _STATEMENTS.get(type(node))
        if handler is None:
            return [n.OpaqueStmt(self.env.span(node), self.env.code(node), type(node).__name__)]
        return handler(self, node, scope)

    # hoisting -----------------------------------------------------------------------------------------
    def hoist(self, exprs: Sequence[cst.BaseExpression | None], scope: Scope, *, root: bool = False,
              root_target: ir.Expr | None = None) -> list[n.Stmt]:
        """Operations for every durable call in `exprs`, each result in a temporary.

        With `root`, exprs[0] is itself a durable call whose result goes to `root_target` (or nowhere).
        """
        collector = _CallCollector(scope)
        for expr in exprs:
            if expr is not None:
                expr.visit(collector)
        out: list[n.Stmt] = []
        root_call = exprs[0] if root and exprs else None
        for call, method in collector.found:
            target: ir.Expr | None
            if call is root_call:
                target = root_target
            else:
                temp = self.env.next_temp()
                target = ir.Name(temp, self.env.span(call), temp)
                self.env.hoisted[call] = target
            out.append(ops.build(call, method, target, scope, self.env, self))
        return out

    def is_durable(self, expr: cst.BaseExpression | None, scope: Scope) -> bool:
        return isinstance(expr, cst.Call) and ops.durable_method(expr, scope) is not None

    # simple statements --------------------------------------------------------------------------------
    def assign(self, node: cst.Assign, scope: Scope) -> list[n.Stmt]:
        targets = tuple(lower_expr(t.target, self.env) for t in node.targets)
        if len(targets) == 1 and self.is_durable(node.value, scope):
            out = self.hoist([node.value], scope, root=True, root_target=targets[0])
            self._note_callback(node.value, targets[0], scope)
            return out
        out = self.hoist([node.value, *(t.target for t in node.targets)], scope)
        return [*out, n.Assign(self.env.span(node), targets, lower_expr(node.value, self.env))]

    def ann_assign(self, node: cst.AnnAssign, scope: Scope) -> list[n.Stmt]:
        if node.value is None:
            return []
        target = lower_expr(node.target, self.env)
        if self.is_durable(node.value, scope):
            out = self.hoist([node.value], scope, root=True, root_target=target)
            self._note_callback(node.value, target, scope)
            return out
        out = self.hoist([node.value], scope)
        return [*out, n.Assign(self.env.span(node), (target,), lower_expr(node.value, self.env))]

    def _note_callback(self, value: cst.BaseExpression, target: ir.Expr, scope: Scope) -> None:
        if isinstance(value, cst.Call) and ops.durable_method(value, scope) == "create_callback" \
                and isinstance(target, ir.Name):
            scope.callbacks.add(target.id)

    def aug_assign(self, node: cst.AugAssign, scope: Scope) -> list[n.Stmt]:
        out = self.hoist([node.value], scope)
        op = AUG_OPS[type(node.operator)]
        target, value = lower_expr(node.target, self.env), lower_expr(node.value, self.env)
        return [*out, n.AugAssign(self.env.span(node), target, op, value)]

    def expr(self, node: cst.Expr, scope: Scope) -> list[n.Stmt]:
        if self.is_durable(node.value, scope):
            return self.hoist([node.value], scope, root=True)
        out = self.hoist([node.value], scope)
        return [*out, n.ExprStmt(self.env.span(node), lower_expr(node.value, self.env))]

    def return_(self, node: cst.Return, scope: Scope) -> list[n.Stmt]:
        out = self.hoist([node.value], scope)
        value = lower_expr(node.value, self.env) if node.value is not None else None
        return [*out, n.Return(self.env.span(node), value)]

    def raise_(self, node: cst.Raise, scope: Scope) -> list[n.Stmt]:
        out = self.hoist([node.exc, node.cause.item if node.cause else None], scope)
        exc = lower_expr(node.exc, self.env) if node.exc is not None else None
        cause = lower_expr(node.cause.item, self.env) if node.cause is not None else None
        return [*out, n.Raise(self.env.span(node), exc, cause)]

    def jump(self, node: cst.CSTNode, scope: Scope) -> list[n.Stmt]:
        kinds: dict[type, type[n.Stmt]] = {cst.Break: n.Break, cst.Continue: n.Continue, cst.Pass: n.Pass}
        kind = kinds[type(node)]
        return [kind(self.env.span(node))]

    def local_def(self, node: cst.FunctionDef, scope: Scope) -> list[n.Stmt]:
        return [n.LocalDef(self.env.span(node), f"{scope.qualname}.{node.name.value}")]

    # compound statements ------------------------------------------------------------------------------
    def if_(self, node: cst.If, scope: Scope, elif_: bool = False) -> list[n.Stmt]:
        out = self.hoist([node.test], scope)
        body = self.block(node.body, scope)
        orelse: tuple[n.Stmt, ...] = ()
        if isinstance(node.orelse, cst.If):
            orelse = tuple(self.if_(node.orelse, scope, elif_=True))
        elif isinstance(node.orelse, cst.Else):
            orelse = self.block(node.orelse.body, scope)
        return [*out, n.If(self.env.span(node), lower_expr(node.test, self.env), body, orelse, elif_)]

    def for_(self, node: cst.For, scope: Scope) -> list[n.Stmt]:
        out = self.hoist([node.iter], scope)
        orelse = self.block(node.orelse.body, scope) if node.orelse else ()
        target, iterable = lower_expr(node.target, self.env), lower_expr(node.iter, self.env)
        return [*out, n.For(self.env.span(node), target, iterable, self.block(node.body, scope), orelse)]

    def while_(self, node: cst.While, scope: Scope) -> list[n.Stmt]:
        orelse = self.block(node.orelse.body, scope) if node.orelse else ()
        test_ops = self.hoist([node.test], scope)
        test, span = lower_expr(node.test, self.env), self.env.span(node)
        body = self.block(node.body, scope)
        if not test_ops:
            return [n.While(span, test, body, orelse)]
        negated = ir.UnaryOp(f"not ({test.code})", test.span, "not", test)
        exit_ = n.If(test.span, negated, (*orelse, n.Break(test.span)), ())
        return [n.While(span, ir.Const("True", test.span, True), (*test_ops, exit_, *body), ())]

    def try_(self, node: cst.Try, scope: Scope) -> list[n.Stmt]:
        handlers = tuple(
            n.ExceptHandler(
                self.env.span(h),
                lower_expr(h.type, self.env) if h.type is not None else None,
                h.name.name.value if h.name is not None and isinstance(h.name.name, cst.Name) else None,
                self.block(h.body, scope),
            )
            for h in node.handlers
        )
        orelse = self.block(node.orelse.body, scope) if node.orelse else ()
        final = self.block(node.finalbody.body, scope) if node.finalbody else ()
        return [n.Try(self.env.span(node), self.block(node.body, scope), handlers, orelse, final)]

    def with_(self, node: cst.With, scope: Scope) -> list[n.Stmt]:
        out = self.hoist([item.item for item in node.items], scope)
        items = tuple(lower_expr(item.item, self.env) for item in node.items)
        header = "with " + ", ".join(self.env.code(item).rstrip(",").strip() for item in node.items) + ":"
        return [*out, n.With(self.env.span(node), items, header, self.block(node.body, scope))]


AUG_OPS = {
    cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//", cst.ModuloAssign: "%", cst.PowerAssign: "**", cst.MatrixMultiplyAssign: "@",
    cst.BitAndAssign: "&", cst.BitOrAssign: "|", cst.BitXorAssign: "^", cst.LeftShiftAssign: "<<",
    cst.RightShiftAssign: ">>",
}

_STATEMENTS: dict[type, Fn[..., list[n.Stmt]]] = {
    cst.Assign: Lowerer.assign, cst.AnnAssign: Lowerer.ann_assign, cst.AugAssign: Lowerer.aug_assign,
    cst.Expr: Lowerer.expr, cst.Return: Lowerer.return_, cst.Raise: Lowerer.raise_, cst.Break: Lowerer.jump,
    cst.Continue: Lowerer.jump, cst.Pass: Lowerer.jump, cst.FunctionDef: Lowerer.local_def, cst.If: Lowerer.if_,
    cst.For: Lowerer.for_, cst.While: Lowerer.while_, cst.Try: Lowerer.try_, cst.With: Lowerer.with_,
}
