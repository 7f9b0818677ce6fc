"""JSONata expressions inside ASL: syntax check and the variables an expression reads.

Parsing uses `jsonata-python` (a port of the reference implementation). The variables an expression
reads are its free `$name` references: names bound where they are read (lambda parameters in the
lambda's body, `:=` in the rest of its block, `@$v` focus and `#$i` index bindings), the reserved
`$states`, the context `$`/`$$` and calls of built-in functions are not reads of workflow variables;
a name bound in one place and read in another (`$map($xs, function($x) {...}) & $x`) is read.
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
    focus: set[str] = set()
    _collect(tree, reads, focus, frozenset(), set())
    return None, frozenset(reads - focus - {"states", "", "$"})


def syntax_error(text: str) -> str | None:
    """The parser's message when `text` is not a JSONata expression, else None."""
    return _parsed(text)[0]


def free_variables(text: str) -> frozenset[str]:
    """Workflow variables read by a JSONata expression (empty when it does not parse)."""
    return _parsed(text)[1]


def _collect(node: Any, reads: set[str], focus: set[str], bound: frozenset[str], seen: set[int]) -> None:
    """Reads of `node` not bound where they occur: a lambda binds its parameters in its body, a `:=` in a
    block binds its name for the block's later expressions (and inside its own value when that is a
    function, which may call itself). Focus and index binders (`@$v`, `#$i`) bind for the whole text."""
    if isinstance(node, list | tuple):
        for item in node:
            _collect(item, reads, focus, bound, seen)
        return
    if not hasattr(node, "type") or id(node) in seen:
        return
    seen.add(id(node))
    kind = node.type
    if kind == "variable" and str(node.value) not in bound:
        reads.add(str(node.value))
    for binder in ("focus", "index"):
        name = getattr(node, binder, None)
        if isinstance(name, str):
            focus.add(name)
    if kind == "lambda":
        params = {str(a.value) for a in node.arguments or () if getattr(a, "type", None) == "variable"}
        _collect(node.body, reads, focus, bound | params, seen)
        return
    if kind == "bind" and _bound_name(node) is not None:  # outside a block: binds for nothing read here
        _collect(node.rhs, reads, focus, bound, seen)
        return
    if kind == "block":
        inner = bound
        for expr in node.expressions or ():
            name = _bound_name(expr)
            if name is not None and getattr(expr.rhs, "type", None) == "lambda":
                inner = inner | {name}
            _collect(expr.rhs if name is not None else expr, reads, focus, inner, seen)
            if name is not None:
                inner = inner | {name}
        return
    for field in _CHILD_FIELDS:
        if field == "procedure" and _is_builtin_call(node):
            continue
        child = getattr(node, field, None)
        if child is not None:
            _collect(child, reads, focus, bound, seen)


def _bound_name(node: Any) -> str | None:
    """The name a `$name := value` binds."""
    if getattr(node, "type", None) == "bind" and getattr(node.lhs, "type", None) == "variable":
        return str(node.lhs.value)
    return None


def _is_builtin_call(node: Any) -> bool:
    proc: Any = getattr(node, "procedure", None)
    return getattr(proc, "type", None) == "variable" and str(getattr(proc, "value", "")) in BUILTINS

