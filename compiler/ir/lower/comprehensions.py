"""Comprehensions that run durable operations, rewritten as the loops they mean.

`[context.step(work(i)) for i in items if i]` becomes `_dc_tN = []`, then
`for i in items: if i: _dc_tN.append(<step result>)`, so each operation is a statement in the loop that
really runs it, once per element, in order. A dict comprehension builds with subscript assignment; a
set comprehension, which has no JSON form, builds the list of its distinct elements (first one kept),
and only where its consumer does not see the order (`len`, `sorted`, `sum`, `min`, `max`, `any`, `all`).
A generator expression is drained into a list only where its consumer drains it at once (`sum`, `min`,
`max`, `sorted`, `list`, `tuple`, `set`, `frozenset`, `dict`, `str.join`); under `any`/`all` the loop
stops at the element that decides, as the generator does (`_dc_tN` then holds that element's verdict,
or nothing, and `any(_dc_tN)`/`all(_dc_tN)` reads it); under `sum` a comparison or `not` adds 1 or 0
(Python adds booleans as ints). Any other use would run the operations at other times than Python
does (a lazy consumer interleaves them with its own work): the `Desugared` node carries a `refusal`.

The loop binds the comprehension's variables in the enclosing function, where Python 3 keeps them
private: when the function uses such a name afterwards (outside comprehensions of its own), the rewrite
would change what it reads there, and the `Desugared` node carries a refusal too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.ir.lower.children import children
from durable_compile.ir.lower.exprs import lower_expr
from durable_compile.ir.lower.ops import Scope

if TYPE_CHECKING:
    from durable_compile.ir.lower.env import Env
    from durable_compile.ir.lower.stmts import Lowerer

COMPREHENSIONS = frozenset({cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp})
Comprehension = cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp
FORMS = {cst.ListComp: "list", cst.SetComp: "set", cst.DictComp: "dict", cst.GeneratorExp: "generator"}
#: builtins that drain a generator given as their first argument before they return
DRAINING = frozenset({"sum", "min", "max", "sorted", "list", "tuple", "set", "frozenset", "dict"})
SHORT_CIRCUIT = frozenset({"any", "all"})
#: builtins whose result does not depend on the order of a set's elements (a set is built as a list)
ORDER_FREE = frozenset({"len", "sorted", "sum", "min", "max", "any", "all"})
#: element expressions whose value is always a bool
_BOOLEAN = (cst.Comparison,)


def desugar(lowerer: Lowerer, comp: Comprehension, temp: ir.Name, scope: Scope,
            consumer: cst.Call | None = None) -> list[n.Stmt]:
    """The statements that build `temp` the way the comprehension builds its value (`consumer`: the call
    whose argument the comprehension is, if any)."""
    env = lowerer.env
    span = env.span(comp)
    empty: ir.Expr
    if isinstance(comp, cst.DictComp):
        empty = ir.DictExpr("{}", span, ())
    else:
        empty = ir.ListExpr("[]", span, ())
    reducer = _reducer(comp, consumer)
    init = n.Assign(span, (temp,), empty)
    body = (init, *_Builder(lowerer, comp, temp, scope, reducer).loop(comp.for_in))
    refusal = _lazy(env, comp, consumer) or _set(env, comp, consumer) or _leak(env, comp, scope)
    return [n.Desugared(span, "comprehension", temp, env.code(comp), body, refusal, FORMS[type(comp)])]


def _reducer(comp: Comprehension, consumer: cst.Call | None) -> str | None:
    """"any", "all" or "sum" when the comprehension is a generator that builtin consumes, else None."""
    name = _consumer_name(consumer)
    if isinstance(comp, cst.GeneratorExp) and name in (*SHORT_CIRCUIT, "sum"):
        return name
    return None


def _consumer_name(consumer: cst.Call | None) -> str | None:
    if consumer is None:
        return None
    if isinstance(consumer.func, cst.Name):
        return consumer.func.value
    if isinstance(consumer.func, cst.Attribute) and consumer.func.attr.value == "join":
        return "str.join"
    return None


class _Builder:
    """Writes the loops of one comprehension: one `for` per `for` clause, one `if` per filter."""

    def __init__(self, lowerer: Lowerer, comp: Comprehension, temp: ir.Name, scope: Scope,
                 reducer: str | None) -> None:
        self.lowerer, self.env, self.comp, self.temp, self.scope = lowerer, lowerer.env, comp, temp, scope
        self.reducer = reducer
        #: where made-up values are placed: the first target (names only, so no hoisted call inside)
        self.quiet = self.env.span(comp.for_in.target)

    def loop(self, for_in: cst.CompFor) -> list[n.Stmt]:
        env = self.env
        iter_ops = self.lowerer.hoist([for_in.iter], self.scope)
        if for_in.inner_for_in is not None:
            body = self.loop(for_in.inner_for_in)
            if self.reducer in SHORT_CIRCUIT:  # the inner loop decided: stop this one too
                body.append(n.If(self.quiet, self._quiet_temp(), (n.Break(self.quiet),), ()))
        else:
            body = self.leaf()
        for cond in reversed(for_in.ifs):
            body = [*self.lowerer.hoist([cond.test], self.scope),
                    n.If(env.span(cond), lower_expr(cond.test, env), tuple(body), ())]
        loop = n.For(env.span(for_in), lower_expr(for_in.target, env), lower_expr(for_in.iter, env), tuple(body), ())
        return [*iter_ops, loop]

    def leaf(self) -> list[n.Stmt]:
        env, comp = self.env, self.comp
        if isinstance(comp, cst.DictComp):
            ops = self.lowerer.hoist([comp.key, comp.value], self.scope)
            key, value = lower_expr(comp.key, env), lower_expr(comp.value, env)
            target = ir.Subscript(f"{self.temp.code}[{key.code}]", key.span, self.temp, key)
            return [*ops, n.Assign(key.span, (target,), value)]
        ops = self.lowerer.hoist([comp.elt], self.scope)
        elt = lower_expr(comp.elt, env)
        if self.reducer == "any":  # the first true element decides
            return [*ops, n.If(elt.span, elt, (self._add(self._const(True)), n.Break(elt.span)), ())]
        if self.reducer == "all":  # the first false element decides
            decided = (self._add(self._const(False)), n.Break(elt.span))
            return [*ops, n.If(elt.span, elt, (n.Pass(elt.span),), decided)]
        if self.reducer == "sum" and _is_boolean(comp.elt):
            one, zero = self._const(1), self._const(0)
            elt = ir.IfExp(f"1 if ({elt.code}) else 0", elt.span, elt, one, zero)
        return [*ops, self._add(elt)]

    def _add(self, elt: ir.Expr) -> n.Stmt:
        func = ir.Attr(f"{self.temp.code}.append", elt.span, self.temp, "append")
        add = n.ExprStmt(elt.span, ir.Call(f"{self.temp.code}.append({elt.code})", elt.span, func, (elt,), (), None))
        if not isinstance(self.comp, cst.SetComp):
            return add
        code = f"({elt.code}) not in {self.temp.code}"  # a set keeps one of equal elements: the first
        return n.If(elt.span, ir.Compare(code, self.quiet, elt, ("not in",), (self._quiet_temp(),)), (add,), ())

    def _const(self, value: bool | int) -> ir.Const:
        return ir.Const(repr(value), self.quiet, value)

    def _quiet_temp(self) -> ir.Name:
        return ir.Name(self.temp.id, self.quiet, self.temp.id)


def _is_boolean(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.UnaryOperation):
        return isinstance(expr.operator, cst.Not)
    if isinstance(expr, cst.BooleanOperation):
        return _is_boolean(expr.left) and _is_boolean(expr.right)
    if isinstance(expr, cst.Name):
        return expr.value in ("True", "False")
    return isinstance(expr, _BOOLEAN)


def _lazy(env: Env, comp: Comprehension, consumer: cst.Call | None) -> str | None:
    """Why a generator's operations would run at other times than in Python, if they would."""
    if not isinstance(comp, cst.GeneratorExp):
        return None
    if _first_arg(comp, consumer) and _consumer_name(consumer) in (*DRAINING, *SHORT_CIRCUIT, "str.join"):
        return None
    where = f"by {env.raw_code(consumer.func)}()" if consumer is not None else "later"
    return (f"the generator expression {_short(env.raw_code(comp))!r} runs durable operations and is consumed "
            f"{where}, one element at a time: to-asl would run all its operations at once. Build a list "
            f"comprehension [...] first, or pass the generator to sum, min, max, sorted, list, tuple, set, "
            f"dict, any, all or str.join")


def _set(env: Env, comp: Comprehension, consumer: cst.Call | None) -> str | None:
    """Why a set comprehension cannot be built as a list of its distinct elements, if it cannot."""
    if not isinstance(comp, cst.SetComp) or (_first_arg(comp, consumer) and _consumer_name(consumer) in ORDER_FREE):
        return None
    return (f"the set comprehension {_short(env.raw_code(comp))!r} runs durable operations, and a set has no "
            f"JSON form in the state machine: pass it straight to len, sorted, sum, min, max, any or all, "
            f"or build a list comprehension [...]")


def _first_arg(comp: Comprehension, consumer: cst.Call | None) -> bool:
    return consumer is not None and bool(consumer.args) and consumer.args[0].value is comp \
        and consumer.args[0].keyword is None and not consumer.args[0].star


def _leak(env: Env, comp: Comprehension, scope: Scope) -> str | None:
    """Why binding the comprehension's variables in the enclosing function would change its meaning: the
    function uses such a name after the comprehension (in the source, in a loop around it, or in a nested
    function, which may run at any time)."""
    fn = env.info.functions.get(scope.qualname)
    offsets = env.offsets(comp)
    if fn is None or offsets is None:
        return None
    uses = _Uses(env, comp, frozenset(_targets(comp)))
    uses.walk(fn.node.body, (), frozenset(), False)
    later = sorted({name for name, at, loops in uses.found
                    if at > offsets[1] or (uses.around is not None and set(loops) & set(uses.around))})
    if not later:
        return None
    return (f"the comprehension variable {later[0]!r} is also a name of {fn.name}: the loop to-asl writes "
            f"for {_short(env.raw_code(comp))!r} would change it (a comprehension's variables are its own "
            f"in Python 3). Rename the comprehension's variable")


class _Uses:
    """Where a function uses some names outside one comprehension (and outside other comprehensions that
    bind them), with the loops around each use and around the comprehension."""

    def __init__(self, env: Env, comp: Comprehension, names: frozenset[str]) -> None:
        self.env, self.comp, self.names = env, comp, names
        self.around: tuple[cst.CSTNode, ...] | None = None  #: the loops around the comprehension
        self.found: list[tuple[str, float, tuple[cst.CSTNode, ...]]] = []  #: (name, offset, loops around)

    def walk(self, node: cst.CSTNode, loops: tuple[cst.CSTNode, ...], private: frozenset[str],
             nested: bool) -> None:
        if node is self.comp:
            self.around = loops
            return
        if isinstance(node, cst.Name):
            if node.value in self.names and node.value not in private:
                offsets = self.env.offsets(node)
                at = float("inf") if nested or offsets is None else offsets[0]
                self.found.append((node.value, at, loops))
            return
        if isinstance(node, cst.Attribute | cst.Arg):  # attribute and keyword names are not variables
            self.walk(node.value, loops, private, nested)
            return
        if type(node) in COMPREHENSIONS:
            private = private | set(_targets(node))
        elif isinstance(node, cst.For | cst.While):
            loops = (*loops, node)
        nested = nested or isinstance(node, cst.FunctionDef | cst.Lambda)
        for child in children(node):
            self.walk(child, loops, private, nested)


def _targets(comp: cst.CSTNode) -> Iterator[str]:
    """The names the `for` clauses of a comprehension bind."""
    for_in = getattr(comp, "for_in", None)
    while for_in is not None:
        yield from _bound(for_in.target)
        for_in = for_in.inner_for_in


def _bound(target: cst.BaseExpression) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from _bound(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _bound(target.value)


def _short(code: str) -> str:
    flat = " ".join(code.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."
