"""Python's `==`, `!=` and `in` of a list -> JSONata, where a boolean meets a number or a list a list.

Python compares True and False as 1 and 0 (`1 == True`, `0.0 == False`, `[1] == [True]`, `True in [1]`);
JSONata's `=` never equates a boolean with a number, and its `in` compares by identity in jsonata-js, the
engine family of Step Functions (`[1] in [[1]]` is false there; jsonata-python, inside both local
interpreters, says true). Takes the operands' `Typed` translations (and, for displays, their syntax);
gives a JSONata boolean that is Python's answer: operands of types that cannot meet that way (a string,
None, two ints) keep the plain `=` (`x == "done"`); an untyped value against a number literal is `$x = 0
or $x = false`; a possible boolean against a possible number becomes 1 or 0 first; two values that may
both be lists or dicts are compared by a recursive function (bound in a block under a fresh name) that
compares booleans with numbers as Python does, lists item by item and dicts key by key in any order;
two displays of one shape are compared item by item (`[a] == [b]` is `a == b`). `x in list` is `in`
where no item can equal `x` but by identity (strings, None, a display of strings and numbers), else a
`$reduce` over the items with the same equality.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from durable_compile.backends.asl.jsonata import Binary, Bind, Block, Cond, Expr, Lambda, Lit, Var, call
from durable_compile.backends.asl.translate_values import ValueTranslator
from durable_compile.backends.asl.typed import NUMBERS, Typed, type_test

#: JSONata operators that give a number (or fail)
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})
#: the types whose values may be a list or dict
CONTAINERS = frozenset({"any", "list", "dict"})
#: Python's `==` of two JSON values (`$EQ` is its own name): a boolean against a number is 1 or 0, lists
#: item by item, dicts key by key in any order, anything else JSONata's `=`
_EQUAL = re.sub(r"\s*\n\s*", " ", r"""
function($x, $y) {
  $type($x) = 'boolean' and $type($y) = 'number' ? ($x ? 1 : 0) = $y
  : $type($x) = 'number' and $type($y) = 'boolean' ? $x = ($y ? 1 : 0)
  : $type($x) = 'array' and $type($y) = 'array' ? $count($x) = $count($y) and ($count($x) = 0
    or $reduce([0..$count($x) - 1], function($a, $i) { $a and $EQ($x[$i], $y[$i]) }, true))
  : $type($x) = 'object' and $type($y) = 'object' ? $count($keys($x)) = $count($keys($y)) and ($count($keys($x)) = 0
    or $reduce($keys($x), function($a, $k) { $a and $k in $keys($y) and $EQ($lookup($x, $k), $lookup($y, $k)) }, true))
  : $x = $y
}
""".strip())


@dataclass(frozen=True)
class Function(Expr):
    """A JSONata function literal written as text."""

    code: str  #: `function(...) { ... }`

    def text(self) -> str:
        return self.code


class EqualityTranslator(ValueTranslator):
    """Equality and list membership as Python means them."""

    def equal(self, a: Typed, b: Typed, negate: bool = False) -> Expr:
        """Python's `a == b` (`negate`: `a != b`)."""
        a, b = _refined(a), _refined(b)
        if not _meet(a, b) and not _nested(a, b):
            return Binary("!=" if negate else "=", a.expr, b.expr)
        for side, other in ((a, b), (b, a)):
            number = other.expr
            if isinstance(number, Lit) and other.type in NUMBERS and side.type == "any":  # `x == 0`
                return self.let(side.expr, lambda x, n=number: _literal(x, n, negate))  # type: ignore[misc]
        test = self.let(a.expr, lambda x: self.let(b.expr, lambda y: self._deep(Typed(x, a.type), Typed(y, b.type))))
        return call("not", test) if negate else test

    def _deep(self, a: Typed, b: Typed) -> Expr:
        if not _nested(a, b):
            return Binary("=", self._top(a, b), self._top(b, a))
        return self._with_equality(lambda eq: call(eq, a.expr, b.expr))

    def _with_equality(self, body: Callable[[str], Expr]) -> Expr:
        """`($_n := <Python's == as a recursive function>; body('_n'))`."""
        self._temps += 1
        name = f"_{self._temps}"
        return Block((Bind(name, Function(_EQUAL.replace("$EQ", "$" + name))), body(name)))

    @staticmethod
    def _top(side: Typed, other: Typed) -> Expr:
        """`side` as Python compares it with `other` at the top level: a boolean that may meet a number is
        1 or 0 (a boolean `side` against an untyped `other` only when `other` is a number)."""
        if side.type == "bool" and other.type in (*NUMBERS, "any"):
            number = Lit(int(side.expr.value)) if isinstance(side.expr, Lit) else Cond(side.expr, Lit(1), Lit(0))
            return number if other.type != "any" else Cond(type_test(other.expr, "number"), number, side.expr)
        if side.type == "any" and other.type in (*NUMBERS, "any"):
            return Cond(type_test(side.expr, "boolean"), Cond(side.expr, Lit(1), Lit(0)), side.expr)
        return side.expr

    def displays_equal(self, left: ast.expr, right: ast.expr, negate: bool) -> Expr | None:
        """`[a, b] == [c, d]` or `{"k": a} == {"k": c}` item by item (`a == c and b == d`, every item
        evaluated first, in Python's order), when the displays have one shape; None otherwise."""
        pairs = _pairs(left, right)
        if pairs is None:
            return None
        order = sorted((leaf for pair in pairs for leaf in pair), key=lambda leaf: (leaf.lineno, leaf.col_offset))
        typed = [self.translate(leaf) for leaf in order]

        def build(i: int, bound: dict[int, Typed]) -> Expr:
            if i == len(order):
                tests = [self.equal(bound[id(a)], bound[id(b)]) for a, b in pairs]
                result = tests[0] if tests else Lit(True)
                for test in tests[1:]:
                    result = Binary("and", result, test)
                return call("not", result) if negate else result
            return self.let(typed[i].expr, lambda x: build(i + 1, {**bound, id(order[i]): Typed(x, typed[i].type)}))
        return build(0, {})

    def in_list(self, item: Typed, container: Expr, elements: list[str] | None = None) -> Expr:
        """Python's `item in container` for a list `container` (JSONata's `in` compares by identity);
        `elements`: the types of its items, when it is a display."""
        scalars = elements is not None and all(t in ("str", "none", *NUMBERS) for t in elements)
        if item.type in ("str", "none") or (scalars and all(t in ("str", "none") for t in elements or ())):
            return Binary("in", item.expr, container)
        if scalars and item.type in ("any", "bool", *NUMBERS):  # no boolean among the items: `True in [1]`
            return self.let(item.expr, lambda i: Binary("in", self._top(Typed(i, item.type), Typed(i, "int")),
                                                       container))
        if item.type in NUMBERS and isinstance(item.expr, Lit):  # `3 in xs`; `1 in xs` finds True too
            boolean = {0: False, 1: True}.get(item.expr.value)  # type: ignore[arg-type]
            if boolean is None:
                return Binary("in", item.expr, container)
            number = item.expr
            return self.let(container, lambda c: Binary("or", Binary("in", number, c), Binary("in", Lit(boolean), c)))
        if item.type in NUMBERS:  # a number is also a boolean's 1 or 0
            return self.let(item.expr, lambda i: self.let(container, lambda c: Binary("or", Binary("in", i, c), Binary(
                "or", Binary("and", Binary("=", i, Lit(1)), Binary("in", Lit(True), c)),
                Binary("and", Binary("=", i, Lit(0)), Binary("in", Lit(False), c))))))
        if item.type == "bool":
            return self.let(item.expr, lambda i: self.let(container, lambda c: Binary("or", Binary("in", i, c), Binary(
                "in", Cond(i, Lit(1), Lit(0)), c))))

        def scan(i: Expr) -> Expr:
            self._temps += 2
            found, element = f"_{self._temps - 1}", f"_{self._temps}"
            return self._with_equality(lambda eq: call("reduce", container, Lambda(
                (found, element), Binary("or", Var(found), call(eq, Var(element), i))), Lit(False)))
        return self.let(item.expr, scan)


def _refined(value: Typed) -> Typed:
    """An untyped value's type as its JSONata form shows it: arithmetic gives a number, `&` a string."""
    if value.type == "any" and isinstance(value.expr, Binary) and value.expr.op in _ARITHMETIC:
        return Typed(value.expr, "float")
    if value.type == "any" and isinstance(value.expr, Binary) and value.expr.op == "&":
        return Typed(value.expr, "str")
    return value


def _meet(a: Typed, b: Typed) -> bool:
    """Whether a boolean on one side may meet a number on the other."""
    def boolean(t: Typed) -> bool:
        return t.type in ("bool", "any")

    def number(t: Typed) -> bool:
        return t.type in (*NUMBERS, "any")
    return (boolean(a) and number(b)) or (boolean(b) and number(a))


def _nested(a: Typed, b: Typed) -> bool:
    """Whether both sides may be lists or dicts of one kind (whose items may meet)."""
    return a.type in CONTAINERS and b.type in CONTAINERS and {a.type, b.type} != {"list", "dict"}


def _literal(value: Expr, number: Lit, negate: bool) -> Expr:
    """`value == 0` as `$v = 0 or $v = false` (`1`: `or $v = true`; no boolean equals another number)."""
    boolean = {0: False, 1: True}.get(number.value)  # type: ignore[arg-type]
    if boolean is None:
        return Binary("!=" if negate else "=", value, number)
    if negate:
        return Binary("and", Binary("!=", value, number), Binary("!=", value, Lit(boolean)))
    return Binary("or", Binary("=", value, number), Binary("=", value, Lit(boolean)))


def _pairs(left: ast.expr, right: ast.expr) -> list[tuple[ast.expr, ast.expr]] | None:
    """The items of two displays of one shape that Python compares with each other (nested displays of
    one shape item by item), in the left one's order; None when the displays differ in shape."""
    if type(left) is not type(right):
        return None
    if isinstance(left, ast.List | ast.Tuple) and isinstance(right, ast.List | ast.Tuple):
        if len(left.elts) != len(right.elts) or any(isinstance(e, ast.Starred) for e in (*left.elts, *right.elts)):
            return None
        matched = list(zip(left.elts, right.elts, strict=True))
    elif isinstance(left, ast.Dict) and isinstance(right, ast.Dict):
        keys, other = _keys(left), _keys(right)
        if keys is None or other is None or set(keys) != set(other):
            return None
        matched = [(keys[k], other[k]) for k in keys]
    else:
        return None
    found: list[tuple[ast.expr, ast.expr]] = []
    for a, b in matched:
        found += _pairs(a, b) or [(a, b)]
    return found


def _keys(display: ast.Dict) -> dict[str, ast.expr] | None:
    """A dict display's values by key, when every key is a distinct string literal."""
    found: dict[str, ast.expr] = {}
    for key, value in zip(display.keys, display.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or key.value in found:
            return None
        found[key.value] = value
    return found
