"""Regions: which defs and lambdas are orchestration (re-run on replay) and which are step bodies.

Takes a `ModuleIndex`; gives a `Regions` map from def/lambda node to `Region`. Seeds: decorated handlers,
child functions and branches, and any def with a `DurableContext` parameter (orchestration);
`@durable_step` and `@durable_wait_for_callback` bodies (step). Then, from each orchestration region, the
callables handed to context operations are classified (`step`'s function, `wait_for_callback`'s
submitter, `wait_for_condition`'s check are step regions; `run_in_child_context`, `parallel` branches and
`map` item functions are orchestration with their own context), and a local helper that receives the
context becomes orchestration too. A reference that cannot be resolved is recorded for DUR900.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import StrEnum

from durable_compile.analyze.index import Function, ModuleIndex, positional
from durable_compile.analyze.names import Role
from durable_compile.analyze.tables import OPERATIONS
from durable_compile.analyze.walk import walk

NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
MAX_DEPTH = 3


class Kind(StrEnum):
    ORCHESTRATION = "orchestration"
    STEP = "step"


@dataclass(frozen=True)
class Region:
    kind: Kind  #: orchestration or step
    context: str | None  #: the parameter bound to this region's own DurableContext
    origin: str  #: why: "handler", "child context", "step", "map item", ...


@dataclass
class Regions:
    by_node: dict[int, Region] = field(default_factory=dict)  #: id(def or lambda) -> region
    unresolved: list[tuple[ast.AST, str]] = field(default_factory=list)  #: DUR900 candidates

    def get(self, node: ast.AST) -> Region | None:
        return self.by_node.get(id(node))


#: operation -> (argument index, keyword, kind of the callable's region)
CALLABLE_ARGS: dict[str, tuple[int, str, Kind]] = {
    "step": (0, "func", Kind.STEP),
    "wait_for_callback": (0, "submitter", Kind.STEP),
    "wait_for_condition": (0, "check", Kind.STEP),
    "run_in_child_context": (0, "func", Kind.ORCHESTRATION),
    "parallel": (0, "functions", Kind.ORCHESTRATION),
    "map": (1, "func", Kind.ORCHESTRATION),
}
ROLE_REGION = {Role.HANDLER: (Kind.ORCHESTRATION, "handler"), Role.CHILD: (Kind.ORCHESTRATION, "child context"),
               Role.BRANCH: (Kind.ORCHESTRATION, "parallel branch"), Role.STEP: (Kind.STEP, "durable step"),
               Role.SUBMITTER: (Kind.STEP, "callback submitter")}




def argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if 0 <= index < len(call.args) else None


def operation(call: ast.AST, contexts: frozenset[str] | set[str]) -> str | None:
    """`ctx.step(...)` with `ctx` one of `contexts` -> "step"; anything else -> None."""
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in OPERATIONS:
        value = call.func.value
        if isinstance(value, ast.Name) and value.id in contexts:
            return call.func.attr
    return None


def passes_context(call: ast.Call, contexts: frozenset[str] | set[str]) -> bool:
    args = [*call.args, *(k.value for k in call.keywords)]
    return any(isinstance(a, ast.Name) and a.id in contexts for a in args)


def first_operation(nodes: list[ast.AST] | ast.AST, contexts: frozenset[str] | set[str]) -> ast.Call | None:
    """The first call that starts a durable operation on one of `contexts` (or hands a context on)."""
    roots = nodes if isinstance(nodes, list) else [nodes]
    for node in walk(roots):
        if isinstance(node, ast.Call) and (operation(node, contexts) or passes_context(node, contexts)):
            return node
    return None


def contains_operations(nodes: list[ast.AST] | ast.AST, contexts: frozenset[str] | set[str]) -> bool:
    """True when the code starts a durable operation on one of `contexts` (or hands a context on)."""
    return first_operation(nodes, contexts) is not None


class _Builder:
    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.regions = Regions()
        self.work: list[tuple[ast.AST, str | None, frozenset[str]]] = []  #: (node, scope, visible contexts)
        self.depth = 0  #: how many variable assignments are being followed

    def seed(self) -> None:
        for fn in self.index.functions.values():
            kind_origin = ROLE_REGION.get(fn.role)
            if kind_origin is None and fn.context_param is not None:
                kind_origin = (Kind.ORCHESTRATION, "context parameter")
            if kind_origin is not None:
                self.mark(fn.node, kind_origin[0], fn.context_param, kind_origin[1], fn.qualname)

    def lexical_contexts(self, fn: Function | None) -> frozenset[str]:
        names: set[str] = set()
        while fn is not None:
            region = self.regions.get(fn.node)
            if region is not None and region.context:
                names.add(region.context)
            fn = self.index.functions.get(fn.parent) if fn.parent else None
        return frozenset(names)

    def mark(self, node: ast.AST, kind: Kind, context: str | None, origin: str, scope: str | None,
             outer: frozenset[str] = frozenset()) -> None:
        if id(node) in self.regions.by_node:
            return
        self.regions.by_node[id(node)] = Region(kind, context, origin)
        if kind is Kind.ORCHESTRATION:
            fn = self.index.by_node.get(id(node))
            visible = self.lexical_contexts(fn) if fn is not None else outer | ({context} if context else set())
            self.work.append((node, fn.qualname if fn else scope, visible))

    def run(self) -> Regions:
        self.seed()
        while self.work:
            node, scope, visible = self.work.pop()
            for sub in self.index.own(node):
                if isinstance(sub, ast.Call):
                    self.visit_call(sub, scope, visible)
        return self.regions

    def visit_call(self, call: ast.Call, scope: str | None, visible: frozenset[str]) -> None:
        op = operation(call, visible)
        if op in CALLABLE_ARGS:
            index, keyword, kind = CALLABLE_ARGS[op]
            target = argument(call, index, keyword)
            if target is not None:
                self.classify(target, kind, op, scope, visible)
        elif op is None and isinstance(call.func, ast.Name) and passes_context(call, visible):
            self.helper_with_context(call, scope, visible)

    def classify(self, expr: ast.expr, kind: Kind, op: str, scope: str | None, visible: frozenset[str]) -> None:
        origin = {"map": "map item", "parallel": "parallel branch"}.get(op, op.replace("_", " "))
        if isinstance(expr, (ast.List, ast.Tuple)) and op == "parallel":
            for element in expr.elts:
                self.classify(element, kind, op, scope, visible)
        elif isinstance(expr, (ast.ListComp, ast.GeneratorExp)) and op == "parallel":
            self.classify(expr.elt, kind, op, scope, visible)
        elif isinstance(expr, ast.Lambda):
            params = positional(expr.args)
            ctx = params[0] if kind is Kind.ORCHESTRATION and params else None
            self.mark(expr, kind, ctx, origin, scope, visible)
        elif isinstance(expr, ast.Name):
            fn = self.index.resolve(expr.id, scope)
            values = self.assigned(expr.id, scope) if fn is None and self.depth < MAX_DEPTH else []
            if fn is None and values:
                self.depth += 1
                for value in values:  # branches = [...]; context.parallel(branches)
                    self.classify(value, kind, op, scope, visible)
                self.depth -= 1
            elif fn is None:
                self.regions.unresolved.append((expr, f"{origin} function `{expr.id}`"))
            elif fn.role is Role.PLAIN:
                ctx = fn.context_param or (fn.params[0] if kind is Kind.ORCHESTRATION and fn.params else None)
                self.mark(fn.node, kind, ctx, origin, scope)
        elif isinstance(expr, ast.Call):
            self.classify_factory(expr, kind, op, scope, visible)
        else:
            self.regions.unresolved.append((expr, f"{origin} function `{ast.unparse(expr)[:40]}`"))

    def classify_factory(self, call: ast.Call, kind: Kind, op: str, scope: str | None,
                         visible: frozenset[str]) -> None:
        name = self.index.qualify(call.func)
        if name in ("sdk:ParallelBranch", "functools.partial") and call.args:
            self.classify(call.args[0], kind, op, scope, visible)
            return
        fn = self.index.resolve(call.func.id, scope) if isinstance(call.func, ast.Name) else None
        if fn is not None and fn.role is not Role.PLAIN:
            return  # a @durable_step / @durable_with_child_context factory call
        returned = self.returned_callables(fn) if fn is not None else []
        for callable_ in returned:  # def returns(v): return lambda ctx: v
            self.classify(callable_, kind, op, fn.qualname if fn is not None else scope, frozenset())
        if returned:
            return
        self.regions.unresolved.append((call, f"{origin_of(op)} built by `{ast.unparse(call.func)[:40]}(...)`"))

    def assigned(self, name: str, scope: str | None) -> list[ast.expr]:
        """The values assigned to a local variable `name` in the def `scope` (or at module level)."""
        owner = self.index.functions.get(scope) if scope else None
        nodes = self.index.own(owner.node if owner is not None else self.index.tree)
        return [n.value for n in nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name]

    def returned_callables(self, fn: Function) -> list[ast.expr]:
        """What a plain factory def returns, when that is a lambda or one of its nested defs."""
        found: list[ast.expr] = []
        for node in self.index.own(fn.node):
            value = node.value if isinstance(node, ast.Return) else None
            if isinstance(value, ast.Lambda) or isinstance(value, ast.Name) and \
                    self.index.functions.get(f"{fn.qualname}.{value.id}") is not None:
                found.append(value)
        return found

    def helper_with_context(self, call: ast.Call, scope: str | None, visible: frozenset[str]) -> None:
        assert isinstance(call.func, ast.Name)
        fn = self.index.resolve(call.func.id, scope)
        if fn is None or fn.role is not Role.PLAIN or id(fn.node) in self.regions.by_node:
            return
        ctx = fn.context_param
        for i, arg in enumerate(call.args):
            if ctx is None and isinstance(arg, ast.Name) and arg.id in visible and i < len(fn.params):
                ctx = fn.params[i]
        for kw in call.keywords:
            if ctx is None and isinstance(kw.value, ast.Name) and kw.value.id in visible:
                ctx = kw.arg
        if ctx is not None:
            self.mark(fn.node, Kind.ORCHESTRATION, ctx, "helper given the context", scope)


def origin_of(op: str) -> str:
    return {"map": "map item function", "parallel": "parallel branch", "step": "step function"}.get(
        op, op.replace("_", " ") + " function")


def compute_regions(index: ModuleIndex) -> Regions:
    """Classify every def and lambda that runs as orchestration or as a step body."""
    return _Builder(index).run()
