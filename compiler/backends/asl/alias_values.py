"""What an expression's value shares with the names it reads, for the aliasing check (aliasing.py).

Takes a parsed Python expression; gives the names whose object the value may be (`_same`: `b`, `b if c
else d`), be a part of (`parts`: `b[k]`, `b.get(k)`), hold (`held`: `[b]`, `{"k": b}`) or hold the
elements of (`elements`: the shallow copies `list(b)`, `b.copy()`, `dict(b)`, `[*b]`, `{**b}`, `b[1:]`,
`b + c`, `sorted(b)`, a comprehension over `b`: a new list or dict whose items are still `b`'s). Deep
copies (`copy.deepcopy`, `json.loads`) share nothing. Reads code, never runs it.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator

#: methods that change their list, dict or set in place
MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "sort",
                      "reverse", "popitem", "add", "discard", "difference_update", "intersection_update",
                      "symmetric_difference_update"})
#: methods whose result may be (a part of) their object
SHARING_METHODS = frozenset({"get", "setdefault", "pop", "popitem"})
#: mutating methods that store their arguments in their object
STORING = frozenset({"append", "insert", "setdefault", "add"})
#: mutating methods that store the items of their arguments in their object
SPREADING = frozenset({"extend", "update"})
#: builtins (and `copy.copy`) whose result holds the items of their arguments: shallow copies
COPIERS = frozenset({"list", "dict", "tuple", "set", "frozenset", "sorted", "reversed", "iter", "enumerate",
                     "zip", "filter", "map", "copy"})
#: builtins whose result is one of the items of their argument
PICKERS = frozenset({"next", "min", "max"})
#: methods whose result holds the items of their object
COPYING_METHODS = frozenset({"copy", "values", "items", "keys"})


@functools.lru_cache(maxsize=4096)
def parse(code: str) -> ast.expr | None:
    """An expression (or a single simple statement, returned as such) parsed from its code (the trees are
    shared: never change them)."""
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError:
        try:
            body = ast.parse(code.strip()).body
        except SyntaxError:
            return None
        return body[0] if len(body) == 1 else None  # type: ignore[return-value]
    return tree.body


def root(node: ast.expr) -> str | None:
    """The name at the bottom of `a[k].b[j]`, if it is a name."""
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def names_of(target: ast.expr | None) -> Iterator[str]:
    """The names an assignment target binds."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from names_of(element)
    elif isinstance(target, ast.Starred):
        yield from names_of(target.value)


def roots(value: ast.expr | None) -> Iterator[str]:
    """Names whose object `value` is or is a part of."""
    yield from same(value)
    yield from parts(value)


def outcomes(value: ast.IfExp | ast.BoolOp) -> list[ast.expr]:
    """The operands whose value `x if t else y` or `a or b` / `a and b` may give."""
    return [value.body, value.orelse] if isinstance(value, ast.IfExp) else list(value.values)


def same(value: ast.expr | None) -> Iterator[str]:
    """Names whose object `value` may be."""
    if isinstance(value, ast.Name):
        yield value.id
    elif isinstance(value, ast.IfExp | ast.BoolOp):
        for operand in outcomes(value):
            yield from same(operand)
    elif isinstance(value, ast.NamedExpr):
        yield from same(value.value)


def parts(value: ast.expr | None) -> Iterator[str]:
    """Names whose object may hold `value` (`b[k]`, `b.get(k)`, `b.pop()`, conditional forms)."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        return  # a slice is a new list: `elements`
    if isinstance(value, ast.Subscript | ast.Attribute):
        name = root(value)
        if name is not None:
            yield name
        else:  # an item of a copy, `list(b)[0]`: an item of b
            yield from _spread(value.value)
    elif isinstance(value, ast.IfExp | ast.BoolOp):
        for operand in outcomes(value):
            yield from parts(operand)
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
            and value.func.attr in SHARING_METHODS:
        yield from roots(value.func.value)
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in PICKERS:
        for arg in value.args:
            yield from _spread(arg)


def held(value: ast.expr | None) -> Iterator[str]:
    """Names whose object a display `value` holds (`[b]`, `{"k": b}`, nested displays)."""
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        for element in value.elts:
            if not isinstance(element, ast.Starred):
                yield from _inside(element)
    elif isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            if key is not None:
                yield from _inside(item)
    elif isinstance(value, ast.IfExp | ast.BoolOp):
        for operand in outcomes(value):
            yield from held(operand)
    elif isinstance(value, ast.BinOp):
        yield from held(value.left)
        yield from held(value.right)
    elif isinstance(value, ast.Call) and _copier(value):
        for arg in (*value.args, *(kw.value for kw in value.keywords if kw.arg is not None)):
            yield from held(arg)
        for kw in value.keywords:
            if kw.arg is not None:
                yield from roots(kw.value)  # dict(k=b) holds b
    elif isinstance(value, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        bound = {name for gen in value.generators for name in names_of(gen.target)}
        shown = [value.key, value.value] if isinstance(value, ast.DictComp) else [value.elt]
        for element in shown:
            yield from (name for name in _inside(element) if name not in bound)


def elements(value: ast.expr | None) -> Iterator[str]:
    """Names whose elements (items, values) a new container `value` may hold: shallow copies."""
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        for element in value.elts:
            if isinstance(element, ast.Starred):
                yield from _spread(element.value)
            else:
                yield from elements(element)
    elif isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            yield from _spread(item) if key is None else elements(item)
    elif isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        yield from _spread(value.value)
    elif isinstance(value, ast.IfExp | ast.BoolOp):
        for operand in outcomes(value):
            yield from elements(operand)
    elif isinstance(value, ast.BinOp):
        yield from _spread(value.left)
        yield from _spread(value.right)
    elif isinstance(value, ast.Call):
        yield from _call_elements(value)
    elif isinstance(value, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        for gen in value.generators:
            yield from _spread(gen.iter)


def _call_elements(call: ast.Call) -> Iterator[str]:
    func = call.func
    if _copier(call):
        for arg in (*call.args, *(kw.value for kw in call.keywords if kw.arg is None)):
            yield from _spread(arg)
    elif isinstance(func, ast.Attribute) and func.attr in COPYING_METHODS:
        yield from _spread(func.value)


def _copier(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in COPIERS
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
        and (func.value.id, func.attr) in {("copy", "copy"), ("itertools", "chain")}


def _spread(value: ast.expr) -> Iterator[str]:
    """Names whose object's items `value`'s items may be (`value` itself, a part or a copy of one)."""
    yield from roots(value)
    yield from elements(value)
    yield from held(value)


def _inside(element: ast.expr) -> Iterator[str]:
    """Names whose object an element of a display may be or hold."""
    yield from roots(element)
    yield from held(element)
