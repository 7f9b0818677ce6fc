"""Python expressions -> JSONata, keeping Python's meaning.

Takes a Python expression (`ast.expr`) and the JSONata form and static type of each name it may use;
gives a `Typed` JSONata expression, or raises `NotTranslatable` naming the construct (the emitter then
lifts the computation into a task, or reports DUR8xx under --strict). Guarantees, checked by hypothesis
tests against jsonata-python: truthiness as in Python (empty list/dict/string, 0 and None are false),
`and`/`or` return an operand, `//` and `%` floor like Python, `+` concatenates strings and lists, list
displays never flatten nested lists, f-strings print True/None like Python.
Known deviations: numbers are IEEE doubles (exact up to 2**53); a missing key or index gives undefined, not
KeyError/IndexError; `x == 1` is false while a value of unknown type holds True (`True == 1` is true)."""

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
    Field,
    Index,
    Lit,
    Neg,
    Object,
    Var,
    call,
)
from durable_compile.backends.asl.typed import (  # noqa: F401 - NotTranslatable and Typed are imported from here
    _COMPARE,
    ERROR_FIELDS,
    NUMBERS,
    NotTranslatable,
    Typed,
    _last_value_wins,
    _nested,
    is_simple,
    join_types,
    type_test,
)


class Translator:
    """Translates expressions over a fixed set of names; temporaries are `$_1`, `$_2`, ..."""

    def __init__(self, names: Mapping[str, Typed]) -> None:
        self.names = dict(names)  #: Python name -> its JSONata value and type
        self._temps = 0

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
            elif isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None:
                parts.append(self.py_str(self.translate(part.value), part.value))
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
        if t != "any":
            raise NotTranslatable(node, f"str() of a {t} prints differently in JSONata")
        # Python prints lists and dicts with spaces and quotes that JSONata's $string does not: those fail
        # loudly ($error) rather than print differently.
        return self.let(e, lambda v: Cond(type_test(v, "string"), v, Cond(
            type_test(v, "boolean"), Cond(v, Lit("True"), Lit("False")),
            Cond(type_test(v, "null"), Lit("None"), Cond(
                type_test(v, "number"), call("string", v),
                call("error", Lit("str() of a list or dict has no JSONata form")))))))

    # --- operators -----------------------------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> Typed:
        a, b = self.translate(node.left), self.translate(node.right)
        handler = getattr(self, "op_" + type(node.op).__name__, None)
        if handler is None:
            raise NotTranslatable(node, f"the operator {type(node.op).__name__} is not supported in JSONata")
        return handler(node, a, b)

    def _numbers(self, node: ast.AST, *values: Typed) -> None:
        for v in values:
            if v.type not in NUMBERS and v.type != "any":
                raise NotTranslatable(node, f"arithmetic on a {v.type} value")

    def _arith_type(self, a: Typed, b: Typed) -> str:
        return "int" if a.type == b.type == "int" else "float" if "any" not in (a.type, b.type) else "any"

    def op_Add(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        if a.type == b.type == "str":
            return Typed(Binary("&", a.expr, b.expr), "str")
        if a.type == b.type == "list" or {a.type, b.type} == {"list", "any"}:
            return Typed(call("append", a.expr, b.expr), "list")
        if "str" in (a.type, b.type) and "any" in (a.type, b.type):
            return Typed(Binary("&", a.expr, b.expr), "str")
        if a.type == b.type == "any":
            return Typed(self.let(a.expr, lambda x: Cond(type_test(x, "string"), Binary("&", x, b.expr), Cond(
                type_test(x, "array"), call("append", x, b.expr), Binary("+", x, b.expr)))), "any")
        self._numbers(node, a, b)
        return Typed(Binary("+", a.expr, b.expr), self._arith_type(a, b))

    def op_Sub(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        self._numbers(node, a, b)
        return Typed(Binary("-", a.expr, b.expr), self._arith_type(a, b))

    def op_Mult(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        self._numbers(node, a, b)
        return Typed(Binary("*", a.expr, b.expr), self._arith_type(a, b))

    def op_Div(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        self._numbers(node, a, b)
        return Typed(Binary("/", a.expr, b.expr), "float")

    def op_FloorDiv(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        self._numbers(node, a, b)
        return Typed(call("floor", Binary("/", a.expr, b.expr)), self._arith_type(a, b))

    def op_Mod(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        self._numbers(node, a, b)
        body = self.let(a.expr, lambda x: self.let(b.expr, lambda y: Binary(
            "-", x, Binary("*", y, call("floor", Binary("/", x, y))))))
        return Typed(body, self._arith_type(a, b))

    def op_Pow(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        self._numbers(node, a, b)
        exact = a.type == "int" and isinstance(b.expr, Lit) and isinstance(b.expr.value, int) and b.expr.value >= 0
        return Typed(call("power", a.expr, b.expr), "int" if exact else "float")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Typed:
        if isinstance(node.op, ast.Not):
            return Typed(call("not", self.truthy(node.operand)), "bool")
        value = self.translate(node.operand)
        self._numbers(node, value)
        if isinstance(node.op, ast.USub):
            return Typed(Neg(value.expr), value.type)
        if isinstance(node.op, ast.UAdd):
            return value
        raise NotTranslatable(node, "bitwise inversion is not supported in JSONata")

    def visit_BoolOp(self, node: ast.BoolOp) -> Typed:
        values = [self.translate(v) for v in node.values]
        result = values[-1]
        for left in reversed(values[:-1]):
            result = self._bool_op(isinstance(node.op, ast.And), left, result)
        return result

    def _bool_op(self, is_and: bool, left: Typed, right: Typed) -> Typed:
        if left.type == right.type == "bool":
            return Typed(Binary("and" if is_and else "or", left.expr, right.expr), "bool")

        def pick(v: Expr) -> Expr:
            test = self.truth_of(Typed(v, left.type))
            return Cond(test, right.expr, v) if is_and else Cond(test, v, right.expr)
        return Typed(self.let(left.expr, pick), join_types(left.type, right.type))

    def visit_Compare(self, node: ast.Compare) -> Typed:
        terms = [self.translate(node.left), *(self.translate(c) for c in node.comparators)]
        tests = [self._compare(node, op, terms[i], terms[i + 1]) for i, op in enumerate(node.ops)]
        result = tests[0]
        for test in tests[1:]:
            result = Binary("and", result, test)
        return Typed(result, "bool")

    def _compare(self, node: ast.AST, op: ast.cmpop, a: Typed, b: Typed) -> Expr:
        if isinstance(op, ast.Is | ast.IsNot) and b.type != "none":
            raise NotTranslatable(node, "'is' is only supported against None")
        if isinstance(op, ast.In | ast.NotIn):
            test = self._contains(node, a, b)
            return call("not", test) if isinstance(op, ast.NotIn) else test
        a, b = self._bool_as_number(a, b), self._bool_as_number(b, a)
        return Binary(_COMPARE[type(op)], a.expr, b.expr)

    def _bool_as_number(self, side: Typed, other: Typed) -> Typed:
        """Python compares True and False as 1 and 0 (`True == 1`); JSONata never equates a boolean with
        a number, so a boolean compared with a number (or a value that may be one) becomes 1 or 0."""
        if side.type != "bool" or other.type not in ("int", "float", "any"):
            return side
        number = Cond(side.expr, Lit(1), Lit(0))
        if other.type != "any":
            return Typed(number, "int")
        return Typed(Cond(type_test(other.expr, "number"), number, side.expr), "any")

    def _contains(self, node: ast.AST, item: Typed, container: Typed) -> Expr:
        if container.type == "str":
            return call("contains", container.expr, item.expr)
        if container.type == "dict":
            return Binary("in", item.expr, call("keys", container.expr))
        if container.type == "list":
            return Binary("in", item.expr, container.expr)
        if container.type != "any":
            raise NotTranslatable(node, f"'in' on a {container.type} value")
        return self.let(container.expr, lambda c: Cond(type_test(c, "string"), call("contains", c, item.expr), Cond(
            type_test(c, "object"), Binary("in", item.expr, call("keys", c)), Binary("in", item.expr, c))))

    def visit_IfExp(self, node: ast.IfExp) -> Typed:
        then, orelse = self.translate(node.body), self.translate(node.orelse)
        return Typed(Cond(self.truthy(node.test), then.expr, orelse.expr), join_types(then.type, orelse.type))

    def visit_Attribute(self, node: ast.Attribute) -> Typed:
        base = self.translate(node.value)
        if base.type == "error" and node.attr in ERROR_FIELDS:
            return Typed(Field(base.expr, node.attr), "str")
        raise NotTranslatable(node, f"attribute .{node.attr} has no JSONata translation")

    # --- subscripts and calls --------------------------------------------------------------------------
    def visit_Subscript(self, node: ast.Subscript) -> Typed:
        if isinstance(node.slice, ast.Slice):
            raise NotTranslatable(node, "slices are not supported in JSONata")
        base, key = self.translate(node.value), self.translate(node.slice)
        if key.type == "str" and base.type in ("dict", "any"):
            return Typed(self._field(base.expr, key.expr), "any")
        if key.type == "int" and base.type == "str":
            return Typed(call("substring", base.expr, key.expr, Lit(1)), "str")
        if key.type == "int" and base.type in ("list", "any"):
            return Typed(Index(base.expr, key.expr), "any")
        raise NotTranslatable(node, f"subscript of a {base.type} value with a {key.type} key")

    @staticmethod
    def _field(base: Expr, key: Expr) -> Expr:
        if isinstance(key, Lit) and isinstance(key.value, str):
            return Field(base, key.value)
        return call("lookup", base, key)

    def visit_Call(self, node: ast.Call) -> Typed:
        if node.keywords:
            raise NotTranslatable(node, "keyword arguments are not supported in JSONata")
        if isinstance(node.func, ast.Name) and node.func.id not in self.names:
            builtin = getattr(self, "call_" + node.func.id, None)
            if builtin is not None:
                return builtin(node, [self.translate(a) for a in node.args])
        if isinstance(node.func, ast.Attribute):
            method = getattr(self, "method_" + node.func.attr, None)
            if method is not None:
                return method(node, self.translate(node.func.value), [self.translate(a) for a in node.args])
        raise NotTranslatable(node, f"the call {ast.unparse(node.func)}(...) has no JSONata translation")

    def call_len(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        if value.type == "str":
            return Typed(call("length", value.expr), "int")
        if value.type == "list":
            return Typed(call("count", value.expr), "int")
        if value.type == "dict":
            return Typed(call("count", call("keys", value.expr)), "int")
        if value.type != "any":
            raise NotTranslatable(node, f"len() of a {value.type} value")
        return Typed(self.let(value.expr, lambda v: Cond(type_test(v, "string"), call("length", v), Cond(
            type_test(v, "object"), call("count", call("keys", v)), call("count", v)))), "int")

    def call_str(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        return Typed(self.py_str(value, node), "str")

    def call_bool(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        return Typed(self.truth_of(value), "bool")

    def call_abs(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        self._numbers(node, value)
        return Typed(call("abs", value.expr), value.type)

    def call_min(self, node: ast.Call, args: list[Typed]) -> Typed:
        return self._extreme("min", node, args)

    def call_max(self, node: ast.Call, args: list[Typed]) -> Typed:
        return self._extreme("max", node, args)

    def _extreme(self, name: str, node: ast.Call, args: list[Typed]) -> Typed:
        if len(args) < 2:
            raise NotTranslatable(node, f"{name}() of one iterable is not supported; pass the values")
        self._numbers(node, *args)
        result_type = args[0].type
        for a in args[1:]:
            result_type = join_types(result_type, a.type)
        return Typed(call(name, Array(tuple(a.expr for a in args))), result_type)

    def method_get(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        if base.type not in ("dict", "any") or not 1 <= len(args) <= 2:
            raise NotTranslatable(node, ".get() needs a dict and one or two arguments")
        default = args[1].expr if len(args) == 2 else Lit(None)
        found = self._field(base.expr, args[0].expr)
        return Typed(self.let(found, lambda v: Cond(call("exists", v), v, default)), "any")

    def method_upper(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        return self._string_method(node, base, args, "uppercase")

    def method_lower(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        return self._string_method(node, base, args, "lowercase")

    def _string_method(self, node: ast.Call, base: Typed, args: list[Typed], name: str) -> Typed:
        if base.type not in ("str", "any") or args:
            raise NotTranslatable(node, f"{name} needs a string and no arguments")
        return Typed(call(name, base.expr), "str")

    def method_join(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        if base.type != "str" or len(args) != 1 or args[0].type not in ("list", "any"):
            raise NotTranslatable(node, "str.join() needs a separator string and a list of strings")
        return Typed(call("join", args[0].expr, base.expr), "str")
