"""JSONata expressions inside ASL: syntax check and the variables an expression reads.

Parsing uses `jsonata-python` (a port of the reference implementation). The variables an expression
reads are its free `$name` references: names bound inside the expression (`:=`, lambda parameters,
`@$v` focus and `#$i` index bindings), the reserved `$states`, the context `$`/`$$` and calls of
built-in functions are not reads of workflow variables.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonata

#: JSONata 2.0 built-in functions plus the ones Step Functions adds ($partition, $range, $hash, $uuid, $parse)
BUILTINS = frozenset("""
sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim
pad match contains replace split join formatNumber formatBase formatInteger parseInteger number abs floor
ceil round power sqrt random boolean not map zip filter single reduce sift keys lookup append exists
spread merge reverse each error assert type sort shuffle distinct base64encode base64decode
encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis
partition range hash uuid parse
""".split())
#: attributes of a jsonata-python AST node that hold sub-expressions
_CHILD_FIELDS = ("lhs", "rhs", "expressions", "steps", "arguments", "procedure", "body", "condition", "then",
                 "_else", "stages", "predicate", "group", "lhs_object", "rhs_object", "terms", "rhs_terms",
                 "expr", "update", "delete", "pattern")


@lru_cache(maxsize=1 << 16)
def _parsed(text: str) -> tuple[str | None, frozenset[str]]:
    """(the parser's message or None, the free variables): each expression is parsed once."""
    try:
        tree = jsonata.Jsonata(text).ast
    except Exception as err:  # the parser raises JException, and RuntimeError/RecursionError on odd input
        return str(err) or type(err).__name__, frozenset()
    reads: set[str] = set()
    bound: set[str] = set()
    _collect(tree, reads, bound, set())
    return None, frozenset(reads - bound - {"states", "", "$"})


def syntax_error(text: str) -> str | None:
    """The parser's message when `text` is not a JSONata expression, else None."""
    return _parsed(text)[0]


def free_variables(text: str) -> frozenset[str]:
    """Workflow variables read by a JSONata expression (empty when it does not parse)."""
    return _parsed(text)[1]


def _collect(node: Any, reads: set[str], bound: set[str], seen: set[int]) -> None:
    if isinstance(node, list | tuple):
        for item in node:
            _collect(item, reads, bound, seen)
        return
    if not hasattr(node, "type") or id(node) in seen:
        return
    seen.add(id(node))
    _visit(node, reads, bound)
    for field in _CHILD_FIELDS:
        if field == "procedure" and _is_builtin_call(node):
            continue
        child = getattr(node, field, None)
        if child is not None:
            _collect(child, reads, bound, seen)


def _visit(node: Any, reads: set[str], bound: set[str]) -> None:
    kind = node.type
    if kind == "variable":
        reads.add(str(node.value))
    elif kind == "bind" and getattr(node.lhs, "type", None) == "variable":
        bound.add(str(node.lhs.value))
    elif kind == "lambda":
        bound.update(str(a.value) for a in node.arguments or () if getattr(a, "type", None) == "variable")
    for binder in ("focus", "index"):
        name = getattr(node, binder, None)
        if isinstance(name, str):
            bound.add(name)


def _is_builtin_call(node: Any) -> bool:
    proc: Any = getattr(node, "procedure", None)
    return getattr(proc, "type", None) == "variable" and str(getattr(proc, "value", "")) in BUILTINS

