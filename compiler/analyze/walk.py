"""Walk: fast traversal of stdlib `ast` trees for the analysis passes.

`ast.walk` and `ast.iter_child_nodes` visit every `Load`/`Store` context and operator object through
generic generators; on a 180-line handler that costs about three times what the rules need. These helpers
cache the child-bearing fields per node type, skip expression contexts and operators, and return lists.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

SKIP = frozenset({"ctx", "op", "ops", "type_ignores"})
_FIELDS: dict[type, tuple[str, ...]] = {}
_AST = ast.AST


def fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes, in source order."""
    found = _FIELDS.get(kind)
    if found is None:
        found = _FIELDS[kind] = tuple(f for f in getattr(kind, "_fields", ()) if f not in SKIP)
    return found


def children(node: ast.AST) -> list[ast.AST]:
    """Direct child nodes in source order (contexts and operators left out)."""
    out: list[ast.AST] = []
    for name in fields(type(node)):
        value = getattr(node, name, None)
        if value.__class__ is list:
            for item in value:  # type: ignore[union-attr]
                if isinstance(item, _AST):
                    out.append(item)
        elif isinstance(value, _AST):
            out.append(value)
    return out


def walk(roots: ast.AST | Iterable[ast.AST], stop: tuple[type, ...] = ()) -> list[ast.AST]:
    """Every node under `roots` (roots included), pre-order, in source order. Nodes of a `stop` type are
    included but not entered (unless they are roots)."""
    stack = [roots] if isinstance(roots, _AST) else list(roots)
    stack.reverse()
    entered = {id(n) for n in stack} if stop else set()
    out: list[ast.AST] = []
    push = stack.append
    while stack:
        node = stack.pop()
        out.append(node)
        if stop and isinstance(node, stop) and id(node) not in entered:
            continue
        for name in reversed(fields(type(node))):
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in reversed(value):  # type: ignore[arg-type]
                    if isinstance(item, _AST):
                        push(item)
            elif isinstance(value, _AST):
                push(value)
    return out
