"""Locals that hold a BatchResult's objects: `errors = r.get_errors()` (ErrorObjects: `.type`, `.message`,
`.data`, `.stack_trace`), `items = r.failed()` (and `succeeded()`/`started()`: BatchItems: `.index`,
`.status.value`, `.result`, `.error`), and the loop variable of a `for` over such a list or over such a
call (`for e in r.get_errors()`, whose list is JSONata: batch.entries).

Takes the lowered handler function and its BatchResult locals; gives those locals and reports DUR820
where the handler changes such a list (`append`, a subscript assignment...) or binds a local to one in
some places and to another value elsewhere. The machine holds such a list as JSON, in the shape of the
batch's `all` entries (an item `{index, status, result, error}`, an error `{ErrorType, ErrorMessage}`);
the steps function rebuilds the objects wherever lifted code reads it, so that `e.type` or
`item.error.message` reads what Python reads, and gives back a list it computes as JSON (`_plain`).
JSONata reads such a local only through `len()`: anything else runs in the steps function.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from durable_compile.backends.asl.local_types import parsed
from durable_compile.ir import nodes as n
from durable_compile.source import Span

#: the BatchResult methods that give a list of objects that are not JSON values
METHODS = frozenset({"get_errors", "succeeded", "failed", "started"})
#: list methods that change the list in place
MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"})
KIND = "batch_list"  #: the static type of such a local in the JSONata translation


def held(fn: n.Function, batches: AbstractSet[str], report: Callable[[Span, str], None]) -> frozenset[str]:
    """The locals that hold only lists of a BatchResult's objects (or one of their elements, as the
    target of a `for` over one); `report` gets the statements the machine cannot follow."""
    bound_to: dict[str, list[bool]] = {}
    spans: dict[str, Span] = {}
    loops: list[tuple[str, str]] = []
    for stmt in n.walk(fn.body):
        for name, is_list in _bindings(stmt, batches):
            bound_to.setdefault(name, []).append(is_list)
            if is_list:
                spans.setdefault(name, stmt.span)
        if isinstance(stmt, n.For) and isinstance(target := parsed(stmt.target.code), ast.Name):
            source = parsed(stmt.iter.code)
            loops.append((target.id, source.id if isinstance(source, ast.Name) else
                          "" if not _is_batch_list(source, batches) else ast.unparse(source)))
    lists = {name for name, kinds in bound_to.items() if all(kinds) and name not in fn.params}
    for name in sorted(set(spans) - lists):
        report(spans[name], f"{name!r} holds a BatchResult's list here and another value elsewhere; the state "
                            "machine holds that list as JSON: give it a name of its own")
    over = [target for target, source in loops if source in lists or "(" in source]  # every binding one
    elements = {target for target in over if len(bound_to.get(target, [])) == over.count(target)}
    for stmt in n.walk(fn.body):
        changed = _changed(stmt)
        if changed in lists:
            report(stmt.span, f"{changed!r} is a BatchResult's list, which the state machine cannot change in place")
    return frozenset(lists | elements)


def _bindings(stmt: n.Stmt, batches: AbstractSet[str]) -> list[tuple[str, bool]]:
    """The names `stmt` binds, each with whether the value is a list of a BatchResult's objects."""
    if isinstance(stmt, n.Assign):
        value = parsed(stmt.value.code)
        is_list = len(stmt.targets) == 1 and _is_batch_list(value, batches)
        return [(name, is_list) for t in stmt.targets for name in _names(parsed(t.code))]
    if isinstance(stmt, n.AugAssign):
        return [(name, False) for name in _names(parsed(stmt.target.code))]
    if isinstance(stmt, n.For) or (isinstance(stmt, n.Operation | n.HelperCall) and stmt.target is not None):
        return [(name, False) for name in _names(parsed(stmt.target.code))]  # type: ignore[union-attr]
    if isinstance(stmt, n.Try):
        return [(h.name, False) for h in stmt.handlers if h.name]
    return []


def listed(value: ast.expr | None, batches: AbstractSet[str]) -> tuple[str, str] | None:
    """(the BatchResult local, the method) of a call that gives a list of its objects, else None."""
    if not _is_batch_list(value, batches):
        return None
    assert isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
    assert isinstance(value.func.value, ast.Name)
    return value.func.value.id, value.func.attr


def _is_batch_list(value: ast.expr | None, batches: AbstractSet[str]) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and not value.args \
        and not value.keywords and value.func.attr in METHODS \
        and isinstance(value.func.value, ast.Name) and value.func.value.id in batches


def _names(target: ast.expr | None) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for elt in target.elts for name in _names(elt)]
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return []


def _changed(stmt: n.Stmt) -> str | None:
    """The local whose list `stmt` changes in place: `x.append(...)`, `x[i] = v`."""
    targets: list[ast.expr | None] = []
    if isinstance(stmt, n.ExprStmt):
        call = parsed(stmt.value.code)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in MUTATORS:
            targets.append(call.func.value)
    elif isinstance(stmt, n.Assign):
        targets += [parsed(t.code) for t in stmt.targets]
    for target in targets:
        base = target.value if isinstance(target, ast.Subscript) else target if isinstance(stmt, n.ExprStmt) else None
        if isinstance(base, ast.Name):
            return base.id
    return None
