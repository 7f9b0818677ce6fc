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
from durable_compile.ir.lower.children import expression_children
from durable_compile.ir.lower.comprehensions import COMPREHENSIONS, desugar
from durable_compile.ir.lower.env import Env
from durable_compile.ir.lower.exprs import lower_call, lower_expr
from durable_compile.ir.lower.ops import Scope

COMPREHENSION = "<comprehension>"  #: a comprehension whose elements run durable operations
NO_DESCENT = frozenset({cst.Lambda, cst.FunctionDef}) | COMPREHENSIONS
CONDITIONAL = ("{code!r} runs only where the `and`/`or` or the conditional expression around it gets to it, "
               "but the compiled code runs the operations of an expression before the expression, every time: "
               "run it in an if statement")


def _conditional_parts(node: cst.CSTNode) -> tuple[cst.CSTNode, ...]:
    """The operands Python evaluates only on some paths: the right of `and`/`or`, the arms of `a if t else b`."""
    if isinstance(node, cst.BooleanOperation):
        return (node.right,)
    if isinstance(node, cst.IfExp):
        return (node.body, node.orelse)
    return ()


class _CallCollector:
    """Durable calls inside one expression, innermost first (post-order, in libcst's visiting order),
    lambdas and comprehensions skipped: a comprehension that runs operations is collected whole."""

    def __init__(self, scope: Scope, env: Env) -> None:
        self.scope = scope
        self.env = env
        self.found: list[tuple[cst.Call, str, tuple[str, str] | None]] = []  #: (call, method, helper binding)
        self.consumers: dict[cst.CSTNode, cst.Call] = {}  #: comprehension -> the call it is an argument of
        self.conditional: set[cst.CSTNode] = set()  #: found calls that Python may not evaluate (`a or f()`)

    def walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind not in NO_DESCENT:
            maybe = _conditional_parts(node)
            for child in expression_children(node):
                start = len(self.found)
                self.walk(child)
                if any(child is part for part in maybe):
                    self.conditional.update(found[0] for found in self.found[start:])
        if kind is cst.Call:
            for arg in node.args:  # type: ignore[attr-defined]
                if type(arg.value) in COMPREHENSIONS:
                    self.consumers[arg.value] = node  # type: ignore[assignment]
            found = ops.call_kind(node, self.scope, self.env)  # type: ignore[arg-type]
            if found is not None:
                self.found.append((node, *found))  # type: ignore[arg-type]
        elif kind in COMPREHENSIONS and self._runs_operations(node):
            self.found.append((node, COMPREHENSION, None))  # type: ignore[arg-type]

    def _runs_operations(self, comp: cst.CSTNode) -> bool:
        inner = _CallCollector(self.scope, self.env)
        for child in expression_children(comp):
            inner.walk(child)
        return bool(inner.found)


class Lowerer:
    """Lowers the orchestration regions of one module (implements `ops.RegionLowerer`)."""

    def __init__(self, env: Env) -> None:
        self.env = env

    # regions ------------------------------------------------------------------------------------------
    def function(self, fn: FunctionInfo, context: str | None) -> n.Function:
        scope = Scope(fn.qualname, {context} if context else set())
        statements = fn.node.body.body
        if fn.node.get_docstring() is not None and isinstance(fn.node.body, cst.IndentedBlock):
            statements = statements[1:]  # the docstring is documentation, not orchestration code
        body = self.block(statements, scope)
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
        inner = Scope(scope.qualname, scope.contexts | ({context} if context else set()), dict(scope.callbacks))
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
        collector = _CallCollector(scope, self.env)
        owners = scope.contexts | set(scope.callbacks) | self.closure_helpers(scope)
        for expr in exprs:
            # cheap filter first: a durable call names a context or callback variable in its text
            if expr is not None and any(owner in self.env.raw_code(expr) for owner in owners):
                collector.walk(expr)
        out: list[n.Stmt] = []
        root_call = exprs[0] if root and exprs else None
        for call, method, helper in collector.found:
            start = len(out)
            target: ir.Expr | None
            if call is root_call:
                target = root_target
            else:
                temp = self.env.next_temp()
                target = ir.Name(temp, self.env.span(call), temp)
                self.env.hoist(call, target)
            if method == COMPREHENSION:
                assert isinstance(target, ir.Name)
                out.extend(desugar(self, call, target, scope, collector.consumers.get(call)))  # type: ignore[arg-type]
            elif helper is not None:
                out.append(self.helper_call(call, helper, target))
            else:
                out.append(ops.build(call, method, target, scope, self.env, self))
            if call in collector.conditional and isinstance(target, ir.Name):
                refusal = CONDITIONAL.format(code=" ".join(self.env.raw_code(call).split())[:60])
                span = self.env.span(call)
                out[start:] = [n.Desugared(span, "conditional operation", target, self.env.raw_code(call),
                                           tuple(out[start:]), refusal)]
        return out

    def closure_helpers(self, scope: Scope) -> frozenset[str]:
        """Names of the nested defs that use a context of `scope` through their closure (computed once per
        scope's contexts): a call of one starts durable operations without naming the context."""
        key = frozenset(scope.contexts)
        found = self.env.closure_helpers.get(key)
        if found is None:
            nested = [f for f in self.env.info.functions.values() if f.parent is not None]
            found = frozenset(f.name for f in nested if ops.closure_context(f, scope, self.env) is not None)
            self.env.closure_helpers[key] = found
        return found

    def helper_call(self, call: cst.Call, helper: tuple[str, str], target: ir.Expr | None) -> n.HelperCall:
        qualname, context = helper
        fn = self.env.info.functions[qualname]
        region = None
        if qualname not in self.env.lowering:
            self.env.lowering.add(qualname)
            try:
                region = self.function(fn, context)
            finally:
                self.env.lowering.discard(qualname)
        return n.HelperCall(self.env.span(call), qualname, lower_call(call, self.env), target, region)

    def is_durable(self, expr: cst.BaseExpression | None, scope: Scope) -> bool:
        """True when the expression is itself a durable call or a helper call taking the context."""
        return isinstance(expr, cst.Call) and ops.call_kind(expr, scope, self.env) is not None

    # simple statements --------------------------------------------------------------------------------
    def assign(self, node: cst.Assign, scope: Scope) -> list[n.Stmt]:
        targets = tuple(lower_expr(t.target, self.env) for t in node.targets)
        if len(targets) == 1 and self.is_durable(node.value, scope):
            out = self.hoist([node.value], scope, root=True, root_target=targets[0])
            self._note_callback(out, targets[0], scope)
            return out
        out = self.hoist([node.value, *(t.target for t in node.targets)], scope)
        return [*out, n.Assign(self.env.span(node), targets, lower_expr(node.value, self.env))]

    def ann_assign(self, node: cst.AnnAssign, scope: Scope) -> list[n.Stmt]:
        if node.value is None:
            return []
        target = lower_expr(node.target, self.env)
        if self.is_durable(node.value, scope):
            out = self.hoist([node.value], scope, root=True, root_target=target)
            self._note_callback(out, target, scope)
            return out
        out = self.hoist([node.value], scope)
        return [*out, n.Assign(self.env.span(node), (target,), lower_expr(node.value, self.env))]

    def _note_callback(self, created: list[n.Stmt], target: ir.Expr, scope: Scope) -> None:
        op = created[-1] if created else None
        if isinstance(op, n.Operation) and op.kind is n.OpKind.CREATE_CALLBACK and isinstance(target, ir.Name):
            scope.callbacks[target.id] = op.label

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
        target, iterable = lower_expr(node.target, self.env), lower_expr(node.iter, self.env)
        body = self.block(node.body, scope)
        orelse = self.block(node.orelse.body, scope) if node.orelse else ()
        return [*out, n.For(self.env.span(node), target, iterable, body, orelse)]

    def while_(self, node: cst.While, scope: Scope) -> list[n.Stmt]:
        test_ops = self.hoist([node.test], scope)
        test, span = lower_expr(node.test, self.env), self.env.span(node)
        body = self.block(node.body, scope)
        orelse = self.block(node.orelse.body, scope) if node.orelse else ()
        if not test_ops:
            return [n.While(span, test, body, orelse)]
        negated = ir.UnaryOp(f"not ({test.code})", test.span, "not", test)
        exit_ = n.If(test.span, negated, (*orelse, n.Break(test.span)), ())
        return [n.While(span, ir.Const("True", test.span, True), (*test_ops, exit_, *body), ())]

    def try_(self, node: cst.Try, scope: Scope) -> list[n.Stmt]:
        body = self.block(node.body, scope)
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
        return [n.Try(self.env.span(node), body, handlers, orelse, final)]

    def match(self, node: cst.Match, scope: Scope) -> list[n.Stmt]:
        out = self.hoist([node.subject], scope)
        cases = tuple(
            n.MatchCase(self.env.span(case), self.env.code(case.pattern),
                        lower_expr(case.guard, self.env) if case.guard is not None else None,
                        self.block(case.body, scope))
            for case in node.cases
        )
        return [*out, n.Match(self.env.span(node), lower_expr(node.subject, self.env), cases)]

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
    cst.Match: Lowerer.match,
}
