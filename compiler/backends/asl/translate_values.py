"""The base of the expression translator: dispatch, Python truthiness, temporaries, and the values
written directly (constants, names, list/tuple/dict displays, f-strings and `str()` of a value).

Takes a Python expression and the JSONata form and static type of each name it may use; gives a `Typed`
JSONata expression or raises `NotTranslatable` (translate.py states the guarantees of the whole
translator). Subclasses add operators (translate_operators.py) and calls (translate.py).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from durable_compile.backends.asl.jsonata import (
    Array,
    Binary,
    Bind,
    Block,
    Cond,
    Expr,
    Lit,
    Object,
    Var,
    call,
)
from durable_compile.backends.asl.typed import (
    NUMBERS,
    NotTranslatable,
    Typed,
    _last_value_wins,
    _nested,
    is_simple,
    type_test,
)

#: the f-string conversions translated: none, `!s`, `!r`, `!a` (the last two for numbers, booleans, None)
_CONVERSIONS = (-1, ord("s"), ord("r"), ord("a"))


class ValueTranslator:
    """Translates expressions over a fixed set of names; temporaries are `$_1`, `$_2`, ..."""

    def __init__(self, names: Mapping[str, Typed]) -> None:
        self.names = dict(names)  #: Python name -> its JSONata value and type
        self.tuples: frozenset[str] = frozenset()  #: the locals that always hold a tuple (tuple_shapes.py)
        self._temps = 0

    def temporaries(self, rewind: int | None = None) -> int:
        """How many temporaries are used; with `rewind`, forget those after the first `rewind` (a trial
        translation that is thrown away leaves the numbering as it was)."""
        if rewind is not None:
            self._temps = rewind
        return self._temps

    def translate(self, node: ast.expr) -> Typed:
        visit: Callable[[ast.expr], Typed] | None = getattr(self, "visit_" + type(node).__name__, None)
        if visit is None:
            raise NotTranslatable(node, f"{type(node).__name__} expressions are not supported in JSONata")
        return visit(node)

    def truthy(self, node: ast.expr) -> Expr:
        """A JSONata boolean that is true exactly when Python's `bool(node)` is."""
        return self.truth_of(self.translate(node))

    def truth_of(self, value: Typed) -> Expr:
        e, t = value.expr, value.type
        if t == "bool":
            return e
        if t in NUMBERS:
            return Binary("!=", e, Lit(0))
        if t == "str":
            return Binary("!=", e, Lit(""))
        if t == "none":
            return Lit(False)
        if t == "list":
            return Binary(">", call("count", e), Lit(0))
        return self.let(e, lambda v: Cond(type_test(v, "array"), Binary(">", call("count", v), Lit(0)),
                                          call("boolean", v)))

    def guard(self, node: ast.AST, error: str, message: str) -> Expr:
        """`$error(...)` standing for Python's `error` (subclasses refuse it where an `except` catches it)."""
        return call("error", Lit(f"{error}: {message}"))

    def let(self, value: Expr, body: Callable[[Expr], Expr]) -> Expr:
        """`body(value)`, binding `value` to a temporary first when it is not simple."""
        if is_simple(value):
            return body(value)
        self._temps += 1
        name = f"_{self._temps}"
        return Block((Bind(name, value), body(Var(name))))

    # --- atoms -------------------------------------------------------------------------------------
    def visit_Constant(self, node: ast.Constant) -> Typed:
        value = node.value
        kinds = {bool: "bool", int: "int", float: "float", str: "str", type(None): "none"}
        kind = kinds.get(type(value))
        if kind is None:
            raise NotTranslatable(node, f"{type(value).__name__} constants have no JSON form")
        return Typed(Lit(value), kind)

    def visit_Name(self, node: ast.Name) -> Typed:
        if node.id not in self.names:
            raise NotTranslatable(node, f"{node.id!r} is not a value known to the state machine")
        return self.names[node.id]

    def visit_List(self, node: ast.List) -> Typed:
        items = [self.translate(e) for e in node.elts]
        if all(i.type not in ("list", "any") for i in items):
            return Typed(Array(tuple(i.expr for i in items)), "list")
        if all(i.type != "any" for i in items):
            return Typed(Array(tuple(_nested(i) for i in items)), "list")
        parts = [self._singleton(i) for i in items]
        result: Expr = parts[0]
        for part in parts[1:]:
            result = call("append", result, part)
        return Typed(result, "list")

    def _singleton(self, item: Typed) -> Expr:
        if item.type == "any":
            return self.let(item.expr, lambda v: Cond(type_test(v, "array"), Array((Array((v,)),)), Array((v,))))
        return Array((_nested(item),))

    def visit_Tuple(self, node: ast.Tuple) -> Typed:
        return self.visit_List(ast.List(elts=node.elts, ctx=ast.Load()))

    def visit_Dict(self, node: ast.Dict) -> Typed:
        pairs = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise NotTranslatable(node, "dict unpacking (**) is not supported in JSONata")
            k = self.translate(key)
            if k.type != "str":
                raise NotTranslatable(key, "dict keys must be strings to become JSON")
            pairs.append((k.expr, self.translate(value).expr))
        return Typed(Object(_last_value_wins(pairs)), "dict")

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Typed:
        parts: list[Expr] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(Lit(str(part.value)))
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None and part.conversion in _CONVERSIONS:
                parts.append(self._converted(part))
            elif isinstance(part, ast.FormattedValue) and part.conversion == -1:
                parts.append(self.formatted(part))
            else:
                raise NotTranslatable(part, "f-string conversions and format specs are not supported")
        if not parts:
            return Typed(Lit(""), "str")
        result = parts[0] if len(parts) > 1 or isinstance(parts[0], Lit) else Binary("&", Lit(""), parts[0])
        for part in parts[1:]:
            result = Binary("&", result, part)
        return Typed(result, "str")

    def _converted(self, part: ast.FormattedValue) -> Expr:
        """`{value}`, `{value!s}`, and `{value!r}` or `{value!a}` of a number, a boolean or None (whose
        repr is their str)."""
        value = self.translate(part.value)
        if part.conversion in (ord("r"), ord("a")) and value.type not in ("int", "float", "bool", "none"):
            raise NotTranslatable(part, f"!r of a {value.type} value is not translated")
        return self.py_str(value, part.value)

    def formatted(self, part: ast.FormattedValue) -> Expr:
        """`{value:spec}` in an f-string (subclasses translate some specs)."""
        raise NotTranslatable(part, "f-string format specs are not supported")

    def py_str(self, value: Typed, node: ast.AST) -> Expr:
        """Python's `str()` of a value, for the types where JSONata can print it the same way."""
        e, t = value.expr, value.type
        if t == "str":
            return e
        if t == "int":
            return call("string", e)
        if t == "bool":
            return Cond(e, Lit("True"), Lit("False"))
        if t == "none":
            return Lit("None")
        if t == "float":
            return self.let(e, lambda v: float_text(v, "str()"))
        if t != "any":
            raise NotTranslatable(node, f"str() of a {t} prints differently in JSONata")
        # Python prints lists and dicts with spaces and quotes that JSONata's $string does not: those fail
        # loudly ($error) rather than print differently.
        return self.let(e, lambda v: Cond(type_test(v, "string"), v, Cond(
            type_test(v, "boolean"), Cond(v, Lit("True"), Lit("False")),
            Cond(type_test(v, "null"), Lit("None"), Cond(
                type_test(v, "number"), exact_number_text(v, "str()"),
                call("error", Lit("str() of a list or dict has no JSONata form")))))))


def float_text(v: Expr, what: str) -> Expr:
    """Python's `repr()` of a value known to be a float: `exact_number_text`, with `.0` after a whole
    value (JSON holds the float `5.0` as the number `5`)."""
    text = call("string", v)
    return exact_number_text(v, what, Binary("&", text, Cond(Binary("=", call("floor", v), v), Lit(".0"), Lit(""))))


def exact_number_text(v: Expr, what: str, written: Expr | None = None) -> Expr:
    """`$string(v)` where it writes the number as Python does (integers under 10**15; other numbers from
    0.0001 up to 10**15 whose shortest form has at most 15 significant digits), else a loud failure: JSONata
    rounds to 15 digits (`0.1 + 0.2` is `0.3`) and writes 10**16 where Python writes `1e+16`. A float with a
    whole value (`5.0`) cannot be told from an integer once it is JSON, and is written `5` unless the value
    is known to be a float (`written`: float_text)."""
    text = call("string", v)
    magnitude = call("abs", v)
    exact = Binary("and", Binary("and", Binary("=", call("number", text), v), Binary("<", magnitude, Lit(10**15))),
                   Binary("or", Binary(">=", magnitude, Lit(0.0001)), Binary("=", v, Lit(0))))
    failure = call("error", Binary("&", Binary("&", Lit(f"{what} of "), text), Lit(" has no exact JSONata form")))
    return Cond(exact, text if written is None else written, failure)
