"""When a `return` inside try/finally evaluates its value: before or after the finally blocks.

Takes the returned expression and the finally blocks that run before the value leaves; gives "before",
"after", or a reason it cannot be compiled faithfully. Python evaluates the value first and then runs
the blocks: a block that rebinds a name does not change the value, but one that mutates an object in
place (`seen.append(...)`, `order["k"] = v`, `items += [...]`) changes what the value holds when the
value holds that object itself (`return seen`, `return {"seen": seen}`), and not what was derived from
it (`return len(seen)`). State machine values are copies, so: evaluated before the blocks unless they
mutate something it holds; after them when the value only gathers names and constants (then it holds
the objects and cannot fail) and no block rebinds a name it reads; anything else is refused (DUR820)
with a hint.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from durable_compile.backends.asl.module_facts import bound_names, loaded_names
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

#: methods that change their object in place (lists, dicts, sets)
MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "sort",
                      "reverse", "popitem", "add", "discard"})
HINT = ("copy what the finally block changes before the try (e.g. `result = list(seen)`) and return the copy")


def when(value: ir.Expr, blocks: Iterable[tuple[n.Stmt, ...]], ints: frozenset[str]) -> str:
    """"before", "after", or the reason the value cannot be evaluated faithfully."""
    reads = loaded_names([value.code])
    statements = [s for block in blocks for s in n.walk(block)]
    node = _parse(value.code)
    mutated = reads & _holds(node) & set().union(*(_mutated(s, ints) for s in statements))
    if not mutated:
        return "before"
    rebound = reads & {name for s in statements for name in bound_names(s)}
    if rebound or not _held(node):
        return f"the finally block changes {', '.join(sorted(mutated))}, which the returned value reads; {HINT}"
    return "after"


def _mutated(stmt: n.Stmt, ints: frozenset[str]) -> set[str]:
    """The names whose objects one statement changes in place."""
    if isinstance(stmt, n.AugAssign) and isinstance(stmt.target, ir.Name):
        return set() if stmt.target.id in ints else {stmt.target.id}
    if isinstance(stmt, n.Assign | n.AugAssign):
        targets = stmt.targets if isinstance(stmt, n.Assign) else (stmt.target,)
        return {name for t in targets if not isinstance(t, ir.Name) for name in _bases(_parse(t.code))}
    if isinstance(stmt, n.ExprStmt):
        node = _parse(stmt.value.code)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            return _bases(node.func.value)
    if isinstance(stmt, n.OpaqueStmt) and stmt.code.startswith("del "):
        return {name for t in _parse_targets(stmt.code) if not isinstance(t, ast.Name) for name in _bases(t)}
    return set()


def _bases(node: ast.AST | None) -> set[str]:
    """The name an attribute or subscript chain starts from (`a["k"][0].x` -> a)."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return {node.id} if isinstance(node, ast.Name) else set()


def _held(node: ast.AST | None) -> bool:
    """Whether an expression only gathers names and constants into lists, tuples and dicts (it holds
    the objects themselves, and evaluating it cannot fail)."""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple):
        return all(_held(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and isinstance(k, ast.Constant) and _held(v) for k, v in zip(node.keys, node.values,
                                                                                             strict=True))
    return False


def _holds(node: ast.AST | None) -> set[str]:
    """The names whose objects (or parts of them) the value of an expression may hold; a call or an
    operator is taken to build a new value (`len(seen)`, `list(seen)`, `a + b`)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute | ast.Subscript):
        return _bases(node)
    if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.BoolOp):
        return set().union(*map(_holds, node.elts if not isinstance(node, ast.BoolOp) else node.values))
    if isinstance(node, ast.Dict):
        return set().union(*map(_holds, node.values), *(_holds(k) for k in node.keys if k is not None))
    if isinstance(node, ast.IfExp):
        return _holds(node.body) | _holds(node.orelse)
    return set()  # `[*seen]` and `{**order}` copy too


def _parse(code: str) -> ast.expr | None:
    try:
        return ast.parse(code, mode="eval").body
    except SyntaxError:
        return None


def _parse_targets(code: str) -> list[ast.expr]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [t for s in tree.body if isinstance(s, ast.Delete) for t in s.targets]
