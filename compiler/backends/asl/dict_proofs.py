"""Which names hold a dict at each statement, because an earlier statement read a key of them.

Takes a lowered function; gives, for each statement of its body (nested blocks included, nested regions
apart), the names whose value is certainly a dict when the statement starts. A statement proves a name
when it evaluates `name["key"]` (a string key) or `name.get(...)` unconditionally: Python raises for any
other value, and so does the compiled machine (a type-checked read in JSONata, or Python in the steps
function), so a run that goes on past the statement has a dict there. The proof holds for the later
statements of the same block and the statements nested in them, until a statement binds the name again;
a loop's own expressions and body see only what no statement of the loop rebinds, a `try`'s handlers and
whatever follows the `try` only what no statement inside it rebinds. Reads inside lambdas,
comprehension elements, the right of `and`/`or` and the arms of a conditional expression prove nothing
(they may not run), except the body of a step's lambda, which runs before the step can succeed.

The translator types proven names "dict", so their reads need no type check (translate.py): the check
that proved them is the one that fails.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from durable_compile.backends.asl.local_types import parsed
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

Proofs = dict[int, frozenset[str]]
_NONE: frozenset[str] = frozenset()


def proven_dicts(fn: n.Function, dict_steps: Callable[[str], bool] = lambda name: False) -> Proofs:
    """id(statement) -> the names that hold a dict when it starts (its own expressions may rely on them);
    `dict_steps` says which step functions (by qualname) always return a dict."""
    proofs: Proofs = {}
    _block(fn.body, _NONE, proofs, dict_steps)
    same: dict[frozenset[str], frozenset[str]] = {}  # equal sets as one object: the emitter's cache keys on it
    return {key: same.setdefault(names, names) for key, names in proofs.items()}


def _block(body: tuple[n.Stmt, ...], known: frozenset[str], proofs: Proofs,
           steps: Callable[[str], bool]) -> frozenset[str]:
    for stmt in body:
        known = _stmt(stmt, known, proofs, steps)
    return known


def _stmt(stmt: n.Stmt, known: frozenset[str], proofs: Proofs, steps: Callable[[str], bool]) -> frozenset[str]:
    """Record what `stmt` may rely on; give what the next statement may."""
    bound = _bound(stmt)
    if isinstance(stmt, n.If):
        proofs[id(stmt)] = known
        inner = known | _proves(stmt.test)
        _block(stmt.body, inner, proofs, steps)
        _block(stmt.orelse, inner, proofs, steps)
        return inner - bound
    if isinstance(stmt, n.While | n.For):
        steady = known - bound  # what every iteration may rely on
        proofs[id(stmt)] = steady
        head = _proves(stmt.test) if isinstance(stmt, n.While) else _proves(stmt.iter) - bound
        inner = steady | head  # a while's test runs before every iteration, a for's iterable once
        _block(stmt.body, inner, proofs, steps)
        _block(stmt.orelse, inner, proofs, steps)
        return steady
    blocks = n.blocks(stmt)
    if blocks or isinstance(stmt, n.Try | n.Match):
        proofs[id(stmt)] = known - bound
        if isinstance(stmt, n.Try):
            done = _block(stmt.orelse, _block(stmt.body, known, proofs, steps), proofs, steps)
            for block in [stmt.finalbody, *(h.body for h in stmt.handlers)]:
                _block(block, known - bound, proofs, steps)
            if all(h.body and isinstance(h.body[-1], n.Return | n.Raise) for h in stmt.handlers):
                # only a try body (and else) that ran to its end goes on past the try
                return done - frozenset().union(*(_bound(f) for f in stmt.finalbody))
        else:
            for block in blocks:
                _block(block, known - bound, proofs, steps)
        return known - bound
    proofs[id(stmt)] = known
    for region in _regions(stmt):
        _block(region.body, _NONE, proofs, steps)
    return (known - bound) | (_proves_stmt(stmt) - bound) | _dict_result(stmt, steps)


def _dict_result(stmt: n.Stmt, steps: Callable[[str], bool]) -> frozenset[str]:
    """The name a step statement binds to its result, when the step function always returns a dict and
    no custom serdes reads it back (`x = context.step(charge(...))`, charge returning `{...}`)."""
    if not (isinstance(stmt, n.Operation) and stmt.kind == n.OpKind.STEP and isinstance(stmt.target, ir.Name)):
        return _NONE
    callee = stmt.callee
    plain = stmt.config is None or bool(stmt.settings) and "serdes" not in stmt.settings
    found = callee is not None and callee.function is not None and plain and steps(callee.function)
    return frozenset({stmt.target.id}) if found else _NONE


def returns_dict(defn: ast.FunctionDef) -> bool:
    """Every way out of `defn` returns a dict display (or raises): it always gives a dict."""
    returns = [r for r in _own_nodes(defn) if isinstance(r, ast.Return)]
    return bool(returns) and all(isinstance(r.value, ast.Dict | ast.DictComp) for r in returns) \
        and _never_falls_off(defn.body)


def _never_falls_off(body: list[ast.stmt]) -> bool:
    last = body[-1] if body else None
    if isinstance(last, ast.Return | ast.Raise):
        return True
    return isinstance(last, ast.If) and _never_falls_off(last.body) and _never_falls_off(last.orelse)


def _own_nodes(defn: ast.FunctionDef) -> Iterator[ast.AST]:
    """The nodes of `defn`'s body, not those of the functions and classes it defines."""
    todo: list[ast.AST] = list(defn.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))


def _regions(stmt: n.Stmt) -> list[n.Function]:
    if isinstance(stmt, n.Operation):
        return n.regions(stmt)
    if isinstance(stmt, n.HelperCall) and stmt.region is not None:
        return [stmt.region]
    return []


def _proves_stmt(stmt: n.Stmt) -> frozenset[str]:
    """The names `stmt` reads a key of, unconditionally."""
    if isinstance(stmt, n.Assign):
        return _proves(stmt.value)
    if isinstance(stmt, n.AugAssign | n.ExprStmt):
        return _proves(stmt.value)
    if isinstance(stmt, n.HelperCall):
        return _proves(stmt.call)
    if isinstance(stmt, n.Operation):
        found = set().union(*(_proves(k.value) for k in stmt.operands))
        if stmt.name is not None:
            found |= _proves(stmt.name)
        callee = stmt.callee
        if callee is not None:
            found |= set().union(*(_proves(a) for a in callee.args), *(_proves(k.value) for k in callee.kwargs))
            if callee.lam is not None and stmt.kind == n.OpKind.STEP:  # the body runs before the step succeeds
                found |= _proves(callee.lam.body) - set(callee.lam.params)
        return frozenset(found)
    return _NONE


def _bound(stmt: n.Stmt) -> frozenset[str]:
    """Every name `stmt` (nested blocks included) may bind."""
    found: set[str] = set()
    for inner in n.walk((stmt,)):
        for target in _targets(inner):
            found |= _names(target)
        found |= _walrus(inner)
        if isinstance(inner, n.Try):
            found |= {h.name for h in inner.handlers if h.name}
        elif isinstance(inner, n.LocalDef):
            found.add(inner.qualname.rsplit(".", 1)[-1])
        elif isinstance(inner, n.With | n.Match):
            found |= _identifiers(inner.code if isinstance(inner, n.With) else " ".join(c.pattern for c in inner.cases))
    return frozenset(found)


_FIELDS: dict[type, tuple[str, ...]] = {}  #: statement class -> its field names


def _walrus(stmt: n.Stmt) -> set[str]:
    """The names `:=` binds in the expressions of `stmt` itself."""
    found: set[str] = set()
    names = _FIELDS.get(type(stmt))
    if names is None:
        names = _FIELDS[type(stmt)] = tuple(f.name for f in dataclasses.fields(stmt))
    for name in names:
        value = getattr(stmt, name)
        for expr in value if isinstance(value, tuple) else (value,):
            expr = expr.value if isinstance(expr, ir.Keyword) else expr
            node = parsed(f"({expr.code})") if isinstance(expr, ir.Expr) and ":=" in expr.code else None
            if node is not None:
                found |= {w.target.id for w in ast.walk(node) if isinstance(w, ast.NamedExpr)}
    return found


def _targets(stmt: n.Stmt) -> Iterator[ir.Expr]:
    if isinstance(stmt, n.Assign):
        yield from stmt.targets
    elif isinstance(stmt, n.AugAssign | n.For):
        yield stmt.target
    elif isinstance(stmt, n.Operation | n.HelperCall | n.Desugared) and stmt.target is not None:
        yield stmt.target


def _names(target: ir.Expr) -> set[str]:
    node = parsed(target.code)
    if node is None:
        return _identifiers(target.code)
    return {t.id for t in ast.walk(node) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)} | \
        ({node.id} if isinstance(node, ast.Name) else set())


def _identifiers(code: str) -> set[str]:
    """Every identifier in `code` (a conservative stand-in for the names a header or pattern binds)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))


def _proves(expr: ir.Expr | None) -> frozenset[str]:
    node = parsed(expr.code) if expr is not None else None
    return frozenset(_keyed(node)) if node is not None else _NONE


def proved(nodes: list[ast.expr]) -> set[str]:
    """The names every one of `nodes` reads a key of where it is certainly evaluated."""
    return {name for node in nodes for name in _keyed(node)}


def _keyed(node: ast.AST) -> Iterator[str]:
    """Names read by a string key or `.get` where `node` is certainly evaluated."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and _is_text(node.slice):
        yield node.value.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and isinstance(node.func.value, ast.Name):
        yield node.func.value.id
    for child in _certain(node):
        yield from _keyed(child)


def _certain(node: ast.AST) -> list[ast.AST]:
    """The children of `node` that are evaluated whenever `node` is."""
    if isinstance(node, ast.Lambda):
        return []
    if isinstance(node, ast.BoolOp):
        return [node.values[0]]
    if isinstance(node, ast.IfExp):
        return [node.test]
    if isinstance(node, ast.Compare):  # `a < b < c` evaluates c only when a < b
        return [node.left, node.comparators[0]]
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        return [node.generators[0].iter]
    return list(ast.iter_child_nodes(node))


def _is_text(key: ast.expr) -> bool:
    return isinstance(key, ast.Constant) and isinstance(key.value, str) or isinstance(key, ast.JoinedStr)


class Placement:
    """The statement the emitter is translating, and the names proven dicts there."""

    def __init__(self, defs: Callable[[str], list[ast.stmt]]) -> None:
        self.stmt: n.Stmt | None = None  #: the innermost statement being emitted
        self._defs = defs  #: the module's defs of a name (each read on first use)
        self._aliases: dict[int, tuple[n.Stmt, n.Stmt]] = {}  #: id(made) -> (made, the statement it stands for)
        self._proofs: dict[int, tuple[n.Function, Proofs]] = {}

    @contextmanager
    def at(self, stmt: n.Stmt) -> Iterator[None]:
        saved, self.stmt = self.stmt, stmt
        try:
            yield
        finally:
            self.stmt = saved

    def alias(self, made: tuple[n.Stmt, ...], original: n.Stmt) -> None:
        """Statements the emitter made from `original` (its hoisted arguments, itself rewritten) start
        where it does."""
        self._aliases.update({id(stmt): (stmt, original) for stmt in made})

    def dicts(self, fn: n.Function) -> frozenset[str]:
        """The names that hold a dict where the current statement of `fn` starts (none outside one)."""
        if self.stmt is None:
            return _NONE
        cached = self._proofs.get(id(fn))
        if cached is None or cached[0] is not fn:
            cached = self._proofs[id(fn)] = (fn, proven_dicts(fn, self._dict_step))
        made = self._aliases.get(id(self.stmt))
        stmt = made[1] if made is not None and made[0] is self.stmt else self.stmt
        return cached[1].get(id(stmt), _NONE)

    def _dict_step(self, qualname: str) -> bool:
        defs = [d for d in self._defs(qualname.rsplit(".", 1)[-1]) if isinstance(d, ast.FunctionDef)]
        return len(defs) == 1 and returns_dict(defs[0])
