"""Tuples, which JSON does not have: a tuple is a JSON array in the state machine and in the payload of
the steps function, while the handler keeps it a tuple (`(1, 2) != [1, 2]`, `isinstance(t, tuple)`).

Takes the emitter (its handler's tuple locals: local_types.tuple_locals, every binding a tuple display)
and the expressions the translator meets; gives the tuple locals a lifted function reads (the steps
function makes them tuples again before user code reads them) and, for `==`, `!=`, `in` and `not in`,
whether Python may compare a tuple with a value that is not one (a list display, a list, an untyped
value): JSONata would say equal where Python says not, so the translator lifts such a comparison into
the steps function, where the restored tuple answers as Python does. Tuples nested inside lists or
dicts (or inside a tuple) stay lists there (docs/aws-differences.md).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: expressions whose value is one of their parts' (a tuple inside them may be what is compared)
_PASSING = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.IfExp, ast.BoolOp, ast.NamedExpr)


def locals_here(em: Emitter) -> frozenset[str]:
    """The handler's tuple locals while its own scope is emitted (an inlined helper or child has none)."""
    function, tuples = em.tuples
    return tuples if em.typed_function is function else frozenset()


def restored(em: Emitter, reads: Iterable[str]) -> tuple[str, ...]:
    """The names of `reads` that hold a tuple where the emitter is (the steps function rebuilds them)."""
    tuples = locals_here(em)
    return tuple(r for r in reads if r in tuples)


def is_tuple(node: ast.expr, tuples: AbstractSet[str]) -> bool:
    """Certainly a tuple: a tuple display or a tuple local."""
    return isinstance(node, ast.Tuple) or (isinstance(node, ast.Name) and node.id in tuples)


def holds_tuple(node: ast.expr, tuples: AbstractSet[str]) -> bool:
    """A tuple is the value or one of the parts of the value compared (`[t]`, `t if c else u`)."""
    if is_tuple(node, tuples):
        return True
    if not isinstance(node, _PASSING):
        return False
    return any(holds_tuple(child, tuples) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))


def mismatched(left: ast.expr, right: ast.expr, tuples: AbstractSet[str]) -> bool:
    """Whether Python's `left == right` may compare a tuple with something that is not a tuple (displays
    of one shape are followed item by item; a tuple against a tuple compares as a list against a list)."""
    if is_tuple(left, tuples) and is_tuple(right, tuples):
        pairs = _items(left, right)
        return pairs is not None and any(mismatched(a, b, tuples) for a, b in pairs)
    if isinstance(left, ast.List) and isinstance(right, ast.List):
        pairs = _items(left, right)
        if pairs is not None:
            return any(mismatched(a, b, tuples) for a, b in pairs)
    return holds_tuple(left, tuples) or holds_tuple(right, tuples)


def _items(left: ast.expr, right: ast.expr) -> list[tuple[ast.expr, ast.expr]] | None:
    """The item pairs of two displays of one length (None: not both displays, or a starred item)."""
    if not (isinstance(left, ast.List | ast.Tuple) and isinstance(right, ast.List | ast.Tuple)):
        return None
    if len(left.elts) != len(right.elts) or any(isinstance(e, ast.Starred) for e in (*left.elts, *right.elts)):
        return None
    return list(zip(left.elts, right.elts, strict=True))
