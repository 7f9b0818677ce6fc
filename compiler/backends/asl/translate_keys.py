"""`sorted`, `min` and `max` with `key=`, `reverse=` and `default=` -> JSONata `$sort` and `$reduce`.

Takes what the iteration translator takes; gives `Typed` JSONata or `NotTranslatable`. A key function is
a one-parameter lambda, or a builtin the translator knows (`len`, `abs`, `str`, `bool`, `str.lower`,
`str.upper`); its body is written into the comparison for each of the two elements compared
(`$a.price > $b.price`). A tuple key (`lambda r: (r["a"], -r["b"])`) compares item by item as Python
orders tuples: the first items that differ decide. A boolean key item compares as 0 or 1, as in Python.
Meaning kept: `sorted` is stable (the comparator gives 0 for equal keys, which keeps their order both in
JSONata's merge sort and in sorts that read a comparator's number), `reverse=True` keeps equal keys in their
order as Python does, `min`/`max` give the first element no later one beats, `default=` is what an
empty iterable gives (else ValueError, a guarded `$error`). Known deviations, loud: keys that are lists,
None or a mix of numbers and strings fail in JSONata (Python orders lists; it fails on the others too).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from durable_compile.backends.asl.jsonata import Binary, Bind, Block, Cond, Expr, Lambda, Lit, Var, call
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_iter import IterTranslator, fresh
from durable_compile.backends.asl.typed import is_simple

_KEYED = frozenset({"sorted", "min", "max"})
#: builtins that work as key functions (the translator has a `call_<name>` for each)
_KEY_BUILTINS = frozenset({"len", "abs", "str", "bool"})
_KEY_METHODS = frozenset({"lower", "upper"})
#: a key: the items compared for one element (one item, or a tuple key's items in order)
Key = Callable[[Expr], list[Expr]]


class KeyTranslator(IterTranslator):
    """The iteration translator plus keyword arguments of sorted/min/max."""

    def visit_Call(self, node: ast.Call) -> Typed:
        func = node.func
        if isinstance(func, ast.Name) and func.id in _KEYED and func.id not in self.names and node.keywords \
                and node.args and not any(isinstance(a, ast.Starred) for a in node.args):
            return self._keyed(node, func.id)
        return super().visit_Call(node)

    def _keyed(self, node: ast.Call, name: str) -> Typed:
        options = {k.arg: k.value for k in node.keywords}
        allowed = {"key", "reverse"} if name == "sorted" else {"key", "default"}
        if None in options or not set(options) <= allowed:  # type: ignore[operator]
            raise NotTranslatable(node, f"{name}() is translated with the keywords {', '.join(sorted(allowed))}")
        if len(node.args) > 1 and (name == "sorted" or "default" in options):
            raise NotTranslatable(node, f"{name}() with these keywords takes one iterable")
        used = self._used(node)
        items = self._items(node)
        key = self._key(options.get("key"), used)
        self.guard(node, "TypeError", "")  # keys Python cannot order fail in JSONata too
        if name == "sorted":
            a, b = self._fresh("a", used), self._fresh("b", used)
            after = self._beats(key, Var(a), Var(b), "<" if _flag(options.get("reverse")) else ">", True)
            return Typed(call("sort", items, Lambda((a, b), after)), "list")
        best, x = self._fresh("m", used), self._fresh("x", used)
        beats = self._beats(key, Var(x), Var(best), "<" if name == "min" else ">")

        def pick(values: Expr) -> Expr:
            return call("reduce", values, Lambda((best, x), Cond(beats, Var(x), Var(best))))
        if len(node.args) > 1:  # several values: never empty
            return Typed(pick(items), "any")
        default = options.get("default")
        empty = self.translate(default).expr if default is not None else \
            self.guard(node, "ValueError", f"{name}() of an empty sequence")
        return Typed(self.let(items, lambda v: Cond(Binary(">", call("count", v), Lit(0)), pick(v), empty)), "any")

    def _items(self, node: ast.Call) -> Expr:
        if len(node.args) > 1:
            return self.visit_List(ast.List(node.args, ast.Load())).expr
        arg = node.args[0]
        return self._listed(arg, arg if isinstance(arg, ast.GeneratorExp | ast.ListComp) else None)

    def _key(self, key: ast.expr | None, used: set[str]) -> Key:
        """What is compared for an element: itself, or the key function's value (its items for a tuple)."""
        if key is None or (isinstance(key, ast.Constant) and key.value is None):
            return lambda element: [element]
        key = _as_lambda(key, self.names)
        if not isinstance(key, ast.Lambda) or len(key.args.args) != 1 or key.args.vararg or key.args.kwarg \
                or key.args.kwonlyargs or key.args.posonlyargs or key.args.defaults:
            raise NotTranslatable(key, "a key function is translated when it is a lambda of one parameter")
        param, body = key.args.args[0].arg, key.body
        parts = body.elts if isinstance(body, ast.Tuple) and body.elts else [body]
        if any(isinstance(p, ast.Starred) for p in parts):
            raise NotTranslatable(body, "a starred item in a tuple key")
        return lambda element: [self._bound(param, element, part) for part in parts]

    def _bound(self, param: str, element: Expr, part: ast.expr) -> Expr:
        """`part` translated with the key's parameter standing for `element`; a boolean compares as 0/1."""
        saved = self.names.get(param)
        self.names[param] = Typed(element, "any")
        try:
            value = self.translate(part)
        finally:
            if saved is None:
                del self.names[param]
            else:
                self.names[param] = saved
        return Cond(value.expr, Lit(1), Lit(0)) if value.type == "bool" else value.expr

    def _beats(self, key: Key, left: Expr, right: Expr, op: str, comparator: bool = False) -> Expr:
        """Whether the key of `left` is `op` (> or <) the key of `right`; tuple keys by their first items
        that differ, as Python orders tuples (every item is computed first, as Python computes the whole
        key). Equal keys give false, or for a `$sort` comparator 0, which JSONata's merge sort reads
        as false (keep the order) and sorts that read a comparator's number (jsonata-python, the Java
        port) read as "equal" (false would say "before" both ways, and they would not keep the order)."""
        pairs = list(zip(key(left), key(right), strict=True))
        equal = Lit(0) if comparator else Lit(False)
        if len(pairs) == 1 and not comparator:
            return Binary(op, pairs[0][0], pairs[0][1])

        def compare(bound: list[tuple[Expr, Expr]]) -> Expr:
            result = equal
            for li, ri in reversed(bound):
                result = Cond(Binary("=" if len(bound) == 1 else "!=", li, ri), *(
                    (equal, Binary(op, li, ri)) if len(bound) == 1 else (Binary(op, li, ri), result)))
            return result
        return self._bind_all([e for pair in pairs for e in pair], lambda values: compare(
            list(zip(values[::2], values[1::2], strict=True))))

    def _bind_all(self, values: list[Expr], body: Callable[[list[Expr]], Expr]) -> Expr:
        """`body` of the values, each bound to a temporary first (in one block) unless it is simple."""
        binds: list[Expr] = []
        names: list[Expr] = []
        for value in values:
            if is_simple(value):
                names.append(value)
                continue
            self._temps += 1
            binds.append(Bind(f"_{self._temps}", value))
            names.append(Var(f"_{self._temps}"))
        result = body(names)
        return Block((*binds, result)) if binds else result

    def _fresh(self, base: str, used: set[str]) -> str:
        name = fresh(base, used)
        used.add(name)
        return name


def _flag(value: ast.expr | None) -> bool:
    if value is None:
        return False
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    raise NotTranslatable(value, "reverse= is translated when it is True or False as written")


def _as_lambda(key: ast.expr, names: Mapping[str, Typed]) -> ast.expr:
    """`len`, `abs`, `str`, `bool`, `str.lower`, `str.upper` as the lambda that calls them."""
    item = ast.Name("item", ast.Load())
    if isinstance(key, ast.Name) and key.id in _KEY_BUILTINS and key.id not in names:
        return ast.Lambda(_one_arg("item"), ast.Call(ast.Name(key.id, ast.Load()), [item], []))
    if isinstance(key, ast.Attribute) and isinstance(key.value, ast.Name) and key.value.id == "str" \
            and key.attr in _KEY_METHODS and "str" not in names:
        return ast.Lambda(_one_arg("item"), ast.Call(ast.Attribute(item, key.attr, ast.Load()), [], []))
    return key


def _one_arg(name: str) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(name)], vararg=None, kwonlyargs=[], kw_defaults=[],
                         kwarg=None, defaults=[])
