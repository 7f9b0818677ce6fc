"""Known keys: the subscript reads of a `return`'s dict display that cannot miss in the machine.

Takes a lowered function (IR) and a way to find the module's defs; gives, for each `return` statement
(by id), the pairs (variable, key) such that the machine's variable holds that key wherever that return
runs, so `return {"sku": line["sku"]}` needs no check of its own there (translate.py checks every other
member: a missing key fails the return as Python's KeyError does). A pair is known after
- a read `x["k"]` that the machine evaluates where it stands and that fails there when the key is missing:
  in the value of an assignment to names, in an `if` test, in an argument of a decorated step call (read
  before the step or inside it: either way the run does not go on without it). Only the reads evaluated
  whatever the values are count (not those behind `and`/`or`, a conditional expression, a call, a
  comprehension or a lambda);
- `x = context.step(f(...))` where every `return` of the module-level def `f` (or the lambda's body) is a
  dict display with the key `k`, and `f` cannot end without one (its result is the JSON of that dict;
  a custom serdes could change it: none is allowed).
A pair is forgotten where `x` is written, or named in any other way than as the base of a subscript
read (a call, a method, an alias could change it), and at any statement the analysis does not follow
(a helper call, an operation with a body of its own, a `with`, a `match`...). Facts flow in order;
after an `if`, what both ways (that go on) know; a loop's or a `try`'s body gives nothing to what comes
after or to the handlers, which start with what held before the `try` and nothing in it touched.
Only the machine's values matter: where Python shares a dict that the machine copies, the change is
reported elsewhere (aliasing.py), and the machine's copy keeps its keys.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet

from durable_compile.backends.asl.local_types import parsed
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

Fact = tuple[str, str]
Facts = frozenset[Fact]
#: a way to the module's defs of a simple name (module_facts.Functions.defs)
Defs = Callable[[str], list[ast.stmt]]
_ENDS = (n.Return, n.Raise, n.Break, n.Continue)


def known_keys(function: n.Function, defs: Defs, lists: AbstractSet[str] = frozenset()) -> dict[int, Facts]:
    """id of each `return` statement of `function` and of its nested regions (child contexts, branches,
    map item functions, helpers: each starts knowing nothing) -> the pairs known there. `lists`: the
    function's list locals (local_types.list_locals; its nested regions have their own)."""
    flow = _Flow(defs)
    flow.lists = frozenset(lists)
    flow.block(function.body, frozenset())
    flow.lists = frozenset()
    regions = []
    for stmt in n.walk(function.body):
        if isinstance(stmt, n.Operation):
            regions += n.regions(stmt)
        elif isinstance(stmt, n.HelperCall) and stmt.region is not None:
            regions.append(stmt.region)
    for region in regions:
        flow.block(region.body, frozenset())
    return flow.found



def keyed_reads(node: ast.expr) -> bool:
    """Whether `node` reads a name by a string key (`line["sku"]`): only such reads can be known keys,
    so a return without one needs no analysis."""
    return any(isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name)
               and isinstance(sub.slice, ast.Constant) and isinstance(sub.slice.value, str) for sub in ast.walk(node))

class _Flow:
    def __init__(self, defs: Defs) -> None:
        self.defs = defs
        self.found: dict[int, Facts] = {}
        self.lists: frozenset[str] = frozenset()  #: the list locals of the region followed

    def block(self, body: tuple[n.Stmt, ...], facts: Facts) -> Facts:
        for stmt in body:
            facts = self.stmt(stmt, facts)
        return facts

    def stmt(self, stmt: n.Stmt, facts: Facts) -> Facts:
        if isinstance(stmt, n.Return):
            self.found[id(stmt)] = self.found.get(id(stmt), facts) & facts
            return facts
        if isinstance(stmt, n.Assign):
            gens = _reads(stmt.value.code) if all(isinstance(t, ir.Name) for t in stmt.targets) else frozenset()
            return _forget(facts | gens, _statement_touches(stmt, self.lists))
        if isinstance(stmt, n.If):
            before = _forget(facts | _reads(stmt.test.code), _statement_touches(stmt, self.lists))
            ends = []
            for body in (stmt.body, stmt.orelse):
                end = self.block(body, before)
                if not _ends(body):
                    ends.append(end)
            return frozenset.intersection(*ends) if ends else before
        if isinstance(stmt, n.For | n.While):
            inside = _forget(facts, _statement_touches(stmt, self.lists) | self.touched(stmt.body, stmt.orelse))
            self.block(stmt.body, inside)
            self.block(stmt.orelse, inside)
            return inside
        if isinstance(stmt, n.Try):
            return self.try_(stmt, facts)
        if isinstance(stmt, n.Operation):
            return self.operation(stmt, facts)
        if isinstance(stmt, n.Desugared):
            return self.block(stmt.body, _forget(facts, {stmt.target.id}))
        touched = _statement_touches(stmt, self.lists)
        if "*" in touched:  # not followed: what is inside starts from nothing, as what follows
            for inner in n.blocks(stmt):
                self.block(inner, frozenset())
        return _forget(facts, touched)

    def touched(self, *bodies: tuple[n.Stmt, ...]) -> set[str]:
        return set().union(*(_touched_in(body, self.lists) for body in bodies))

    def try_(self, stmt: n.Try, facts: Facts) -> Facts:
        inside = self.touched(stmt.body, stmt.orelse) | _statement_touches(stmt, self.lists)
        entry = _forget(facts, inside)  # what holds wherever a handler starts
        ends = []
        body = self.block(stmt.orelse, self.block(stmt.body, facts))
        if not _ends(stmt.body) and not _ends(stmt.orelse):
            ends.append(body)
        for handler in stmt.handlers:
            end = self.block(handler.body, entry)
            if not _ends(handler.body):
                ends.append(end)
        after = frozenset.intersection(*ends) if ends else entry
        if stmt.finalbody:  # its copy on the ways out by return, raise or break: what held before it all
            self.block(stmt.finalbody, _forget(entry, self.touched(*(h.body for h in stmt.handlers))))
            after = self.block(stmt.finalbody, after)
        return after

    def operation(self, op: n.Operation, facts: Facts) -> Facts:
        """A step's factory arguments are read; its target gets the keys of every result of its body.
        Other operations without a body of their own change only their target."""
        callee = op.callee
        touched = _statement_touches(op, self.lists)
        if "*" in touched or callee is None:
            return _forget(facts, touched)
        gens: Facts = frozenset()
        if op.kind == n.OpKind.STEP and callee.form == n.CallableForm.FACTORY and callee.decorator is not None:
            gens = frozenset().union(*(_reads(a.code) for a in callee.args))
        facts = _forget(facts | gens, touched)
        if op.kind == n.OpKind.STEP and isinstance(op.target, ir.Name) and _plain_serdes(op):
            facts |= {(op.target.id, key) for key in self.returned_keys(callee)}
        return facts

    def returned_keys(self, callee: n.Callable) -> frozenset[str]:
        """The keys every result of the step body has (its every return is a dict display with them)."""
        if callee.form == n.CallableForm.LAMBDA:
            node = parsed(callee.code)
            return _display_keys([node.body]) if isinstance(node, ast.Lambda) else frozenset()
        name = callee.function
        if callee.form != n.CallableForm.FACTORY or callee.decorator is None or name is None or "." in name:
            return frozenset()
        defs = [d for d in self.defs(name) if isinstance(d, ast.FunctionDef) and d.name == name]
        if len(defs) != 1 or not _ends_py(defs[0].body) or _yields(defs[0]):
            return frozenset()
        return _display_keys([r.value for r in _returns(defs[0].body)])


def _plain_serdes(op: n.Operation) -> bool:
    """The step's result crosses as its JSON: no config, or one known to set no serdes."""
    return op.config is None or ("serdes" not in op.settings and "expr" not in op.settings)


def _ends(body: tuple[n.Stmt, ...]) -> bool:
    return bool(body) and isinstance(body[-1], _ENDS)


def _forget(facts: Facts, names: Iterable[str]) -> Facts:
    """`facts` without those about `names` (all of them when `names` holds `*`)."""
    gone = set(names)
    return frozenset() if "*" in gone else frozenset(f for f in facts if f[0] not in gone)


def _reads(code: str) -> Facts:
    """The reads `name["key"]` that evaluating `code` always makes."""
    node = parsed(code)
    return frozenset(_always_read(node)) if node is not None else frozenset()


def _always_read(node: ast.AST) -> Iterable[Fact]:
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        key = node.slice
        if isinstance(node.value, ast.Name) and isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield node.value.id, key.value
        else:
            yield from _always_read(node.value)
            yield from _always_read(key)
        return
    parts: list[ast.AST] = []
    if isinstance(node, ast.Dict):
        parts = [*(k for k in node.keys if k is not None), *node.values]
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        parts = [e for e in node.elts if not isinstance(e, ast.Starred)]
    elif isinstance(node, ast.BinOp):
        parts = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp):
        parts = [node.operand]
    elif isinstance(node, ast.Compare):
        parts = [node.left, node.comparators[0]]
    elif isinstance(node, ast.BoolOp):
        parts = [node.values[0]]
    elif isinstance(node, ast.IfExp):
        parts = [node.test]
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    for part in parts:
        yield from _always_read(part)


def _touched(*codes: str, lists: frozenset[str] = frozenset()) -> set[str]:
    """The names these expressions write or name other than as the base of a subscript read or as an
    item put into a list local (`done.append(("refund", charge))`: the list holds a copy in the machine);
    `*` (every name) when one of them cannot be parsed."""
    found: set[str] = set()
    for code in codes:
        try:
            tree = ast.parse(code.strip())
        except SyntaxError:
            return {"*"}
        kept = _kept(tree, lists)
        found |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in kept}
    return found


def _kept(tree: ast.AST, lists: frozenset[str]) -> set[int]:
    """The Name nodes (by id) whose use cannot change their variable."""
    kept: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            kept.add(id(node.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in lists and len(node.args) == 1:
            kept |= _items(node.args[0])
    return kept


def _items(node: ast.AST) -> set[int]:
    """The Name nodes that are `node` or items of the tuple and list displays it is made of."""
    if isinstance(node, ast.Name):
        return {id(node)}
    if isinstance(node, ast.Tuple | ast.List):
        return set().union(*(_items(e) for e in node.elts))
    return set()


def _touched_in(body: tuple[n.Stmt, ...], lists: frozenset[str] = frozenset()) -> set[str]:
    """Every name a block touches; `*` (all) when it holds a statement this module does not read."""
    found: set[str] = set()
    for stmt in n.walk(body):
        found |= _statement_touches(stmt, lists)
    return found


def _statement_touches(stmt: n.Stmt, lists: frozenset[str] = frozenset()) -> set[str]:
    if isinstance(stmt, n.Assign):
        return _touched(stmt.value.code, *(t.code for t in stmt.targets))
    if isinstance(stmt, n.AugAssign):
        return _touched(stmt.target.code, stmt.value.code)
    if isinstance(stmt, n.ExprStmt):
        return _touched(stmt.value.code, lists=lists)
    if isinstance(stmt, n.If | n.While):
        return _touched(stmt.test.code)
    if isinstance(stmt, n.For):
        return _touched(stmt.target.code, stmt.iter.code)
    if isinstance(stmt, n.Return | n.Raise | n.Pass | n.Break | n.Continue | n.LocalDef):
        return set()
    if isinstance(stmt, n.Desugared):
        return {stmt.target.id}
    if isinstance(stmt, n.Try):
        return {h.name for h in stmt.handlers if h.name}
    if isinstance(stmt, n.Operation) and (stmt.callee is None or stmt.callee.region is None) \
            and not stmt.branches:
        codes = [*([stmt.callee.code] if stmt.callee is not None else []), *(k.value.code for k in stmt.operands)]
        return _touched(*codes, *(e.code for e in (stmt.config, stmt.name, stmt.target) if e is not None))
    return {"*"}


def _ends_py(body: list[ast.stmt]) -> bool:
    """Whether a def's body cannot end without a return or a raise."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.Return | ast.Raise):
        return True
    return isinstance(last, ast.If) and _ends_py(last.body) and _ends_py(last.orelse)


def _returns(body: list[ast.stmt]) -> list[ast.Return]:
    """The def's own return statements (not those of nested defs, lambdas or classes)."""
    found: list[ast.Return] = []
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Return):
            found.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))
    return found


def _yields(fn: ast.FunctionDef) -> bool:
    return any(isinstance(node, ast.Yield | ast.YieldFrom) for node in ast.walk(fn))


def _display_keys(values: list[ast.expr | None]) -> frozenset[str]:
    keys: frozenset[str] | None = None
    for value in values:
        if not isinstance(value, ast.Dict):
            return frozenset()
        these = frozenset(k.value for k in value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
        keys = these if keys is None else keys & these
    return keys or frozenset()
