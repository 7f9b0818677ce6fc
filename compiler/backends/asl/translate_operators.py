"""Python operators -> JSONata: arithmetic, `not`/`and`/`or`, comparisons, `in` and conditional
expressions, each keeping Python's meaning (see translate.py for the guarantees).

Takes the operands' `Typed` translations; gives `Typed` JSONata or `NotTranslatable` (arithmetic on a
value that is not a number, `is` against anything but None, bitwise operators).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from durable_compile.backends.asl.jsonata import Binary, Cond, Expr, Lit, Neg, call
from durable_compile.backends.asl.translate_equality import EqualityTranslator
from durable_compile.backends.asl.tuple_shapes import holds_tuple, mismatched
from durable_compile.backends.asl.typed import _COMPARE, NUMBERS, NotTranslatable, Typed, join_types, type_test


class OperatorTranslator(EqualityTranslator):
    """The value translator plus operators."""

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
        """The result's type where JSONata's arithmetic succeeds (both operands are numbers there): a float
        operand makes a float in Python, as two ints an int."""
        if "float" in (a.type, b.type):
            return "float"
        return "int" if a.type == b.type == "int" else "number" if "any" not in (a.type, b.type) else "any"

    def op_Add(self, node: ast.AST, a: Typed, b: Typed) -> Typed:
        """`+`: strings join and lists append only with their own kind (Python raises TypeError where
        JSONata's `&` would write the other value as text and `$append` would add it as an item)."""
        if a.type == b.type == "str":
            return Typed(Binary("&", a.expr, b.expr), "str")
        if a.type == b.type == "list":
            return Typed(call("append", a.expr, b.expr), "list")
        for kind in ("list", "str"):
            if {a.type, b.type} == {kind, "any"}:
                return Typed(self.let(a.expr, lambda x, k=kind: self.let(b.expr, lambda y: self._concat(
                    node, k, x if a.type == "any" else y, x, y))), kind)
        if a.type == b.type == "any":
            def either(x: Expr, y: Expr) -> Expr:
                return Cond(type_test(x, "string"), self._concat(node, "str", y, x, y), Cond(
                    type_test(x, "array"), self._concat(node, "list", y, x, y), Binary("+", x, y)))
            return Typed(self.let(a.expr, lambda x: self.let(b.expr, lambda y: either(x, y))), "any")
        self._numbers(node, a, b)
        return Typed(Binary("+", a.expr, b.expr), self._arith_type(a, b))

    def _concat(self, node: ast.AST, kind: str, untyped: Expr, x: Expr, y: Expr) -> Expr:
        """`x + y` of two strings or two lists, once `untyped` is checked to be one (TypeError otherwise)."""
        joined = Binary("&", x, y) if kind == "str" else call("append", x, y)
        test = type_test(untyped, "string" if kind == "str" else "array")
        return Cond(test, joined, self.guard(node, "TypeError", f"can only concatenate {kind} to {kind}"))

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
        """An int to a literal power >= 0 is an int; a float to an int power, or a number to a negative
        literal power, a float (float_exprs.py); anything else may be either (a negative base to a
        fractional power is complex in Python, and fails in JSONata)."""
        self._numbers(node, a, b)
        literal = b.expr.value if isinstance(b.expr, Lit) and type(b.expr.value) is int else None
        if a.type == "int" and literal is not None and literal >= 0:
            return Typed(call("power", a.expr, b.expr), "int")
        negative = isinstance(b.expr, Neg) and isinstance(b.expr.operand, Lit) and type(b.expr.operand.value) is int \
            and b.expr.operand.value > 0
        floats = a.type == "float" and b.type == "int" or negative and a.type in NUMBERS
        return Typed(call("power", a.expr, b.expr), "float" if floats else "number")

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
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            left, right = operands[i], operands[i + 1]
            if isinstance(op, ast.Eq | ast.NotEq) and mismatched(left, right, self.tuples) or isinstance(
                    op, ast.In | ast.NotIn) and holds_tuple(left, self.tuples) or isinstance(
                    op, ast.In | ast.NotIn) and isinstance(right, ast.List | ast.Tuple | ast.Set) and any(
                    holds_tuple(e, self.tuples) for e in right.elts):
                raise NotTranslatable(node, "a tuple compared with a value that may be a list (JSON has no tuples)")
        if len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq | ast.NotEq):
            items = self.displays_equal(node.left, node.comparators[0], isinstance(node.ops[0], ast.NotEq))
            if items is not None:
                return Typed(items, "bool")
        terms = [self.translate(node.left), *(self.translate(c) for c in node.comparators)]
        tests = [self._compare(node, op, terms[i], terms[i + 1], right) for i, (op, right)
                 in enumerate(zip(node.ops, node.comparators, strict=True))]
        result = tests[0]
        for test in tests[1:]:
            result = Binary("and", result, test)
        return Typed(result, "bool")

    def _compare(self, node: ast.AST, op: ast.cmpop, a: Typed, b: Typed, right: ast.expr) -> Expr:
        if isinstance(op, ast.Is | ast.IsNot) and b.type != "none":
            raise NotTranslatable(node, "'is' is only supported against None")
        if isinstance(op, ast.In | ast.NotIn):
            elements = None
            if isinstance(right, ast.List | ast.Tuple) and not any(isinstance(e, ast.Starred) for e in right.elts):
                elements = [self.translate(e).type for e in right.elts]
            test = self._contains(node, a, b, elements)
            return call("not", test) if isinstance(op, ast.NotIn) else test
        if isinstance(op, ast.Eq | ast.NotEq):
            return self.equal(a, b, negate=isinstance(op, ast.NotEq))
        a, b = self._bool_as_number(a, b), self._bool_as_number(b, a)
        return Binary(_COMPARE[type(op)], a.expr, b.expr)

    def _bool_as_number(self, side: Typed, other: Typed) -> Typed:
        """Python compares True and False as 1 and 0 (`True == 1`); JSONata never equates a boolean with
        a number, so a boolean compared with a number (or a value that may be one) becomes 1 or 0."""
        if side.type != "bool" or other.type not in ("int", "float", "number", "any"):
            return side
        number = Cond(side.expr, Lit(1), Lit(0))
        if other.type != "any":
            return Typed(number, "int")
        return Typed(Cond(type_test(other.expr, "number"), number, side.expr), "any")

    def _contains(self, node: ast.AST, item: Typed, container: Typed, elements: list[str] | None = None) -> Expr:
        if container.type == "str":
            return call("contains", container.expr, item.expr)
        if container.type == "dict":
            return self._key_in(node, item, lambda key: Binary("in", key, call("keys", container.expr)))
        if container.type == "list":
            return self.in_list(item, container.expr, elements)
        if container.type != "any":
            raise NotTranslatable(node, f"'in' on a {container.type} value")
        wrong = self.guard(node, "TypeError", "'in' needs a string, a list or a dict")  # `3 in 3` is true
        return self.let(container.expr, lambda c: Cond(type_test(c, "string"), call("contains", c, item.expr), Cond(
            type_test(c, "object"), self._key_in(node, item, lambda key: Binary("in", key, call("keys", c))), Cond(
                type_test(c, "array"), self.in_list(item, c), wrong))))

    def _key_in(self, node: ast.AST, item: Typed, test: Callable[[Expr], Expr]) -> Expr:
        """`test(item)` as a dict's key, failing where Python does (a list or dict is unhashable: TypeError;
        the keys of a JSON object would only say false)."""
        if item.type not in ("any", "list", "dict"):
            return test(item.expr)
        unhashable = self.guard(node, "TypeError", "unhashable type")
        if item.type != "any":
            return unhashable
        return self.let(item.expr, lambda key: Cond(type_test(key, "array"), unhashable, Cond(
            type_test(key, "object"), unhashable, test(key))))

    def visit_IfExp(self, node: ast.IfExp) -> Typed:
        then, orelse = self.translate(node.body), self.translate(node.orelse)
        return Typed(Cond(self.truthy(node.test), then.expr, orelse.expr), join_types(then.type, orelse.type))
