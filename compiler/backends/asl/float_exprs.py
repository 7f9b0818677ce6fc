"""Which Python expressions certainly give a float, read off the syntax without running anything.

Takes an expression (`ast.expr`) and what is known about its names (the float and int locals, the
builtins no binding shadows, the names that mean the `math` module or its functions); says "certainly a
float" or "not known". A float with a whole value (`5.0`) is the JSON number `5` once it crosses the
state machine, where it cannot be told from an int: where the compiler knows a value is a float, `str()`,
f-strings and `json.dumps` write it as Python does (`5.0`), and the steps function makes it a float again
before the user's code reads it (local_types.float_locals, emit_support.Lifted.floats).

Certainly a float (or the expression raises): a float literal; `x / y`; `float(...)`; `-x`, `+x` and
`abs(x)` of a float; `x + - * // y` with a float operand (the handler's values are JSON values, and none
of them gives anything but a float with a float: `2.0 + "a"` raises); `x % y` where `x` is a float, or
`y` is and `x` a number (a string on the left formats); `x ** y` where `x` is a float and `y` an int, or
`y` a negative int literal and `x` a number (`2 ** -1` is 0.5; a negative float to a fractional power
is a complex number, so `x ** 0.5` stays unknown); `min`/`max` of several floats; `round(x, n)` of a
float with an int `n` (`round(x)` is an int); the `math` functions that return floats (`math.sqrt`,
not `math.floor`) and the constants `math.pi`, `math.e`, `math.tau`; a conditional expression or
`and`/`or` whose every outcome is one of these. Everything else is unknown, and keeps the behaviour of a
value of unknown type.
"""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

#: the functions of `math` that always return a float (or raise)
MATH_FLOATS = frozenset({
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "copysign", "cos", "cosh",
    "degrees", "dist", "erf", "erfc", "exp", "exp2", "expm1", "fabs", "fma", "fmod", "fsum", "gamma",
    "hypot", "ldexp", "lgamma", "log", "log10", "log1p", "log2", "nextafter", "pow", "radians",
    "remainder", "sin", "sinh", "sqrt", "tan", "tanh", "ulp",
})
#: the float constants of `math` that JSON can hold
MATH_CONSTANTS = frozenset({"pi", "e", "tau"})
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)


@dataclass(frozen=True)
class FloatFacts:
    """What the names of one scope mean for float inference."""

    ints: AbstractSet[str] = frozenset()  #: locals that always hold an int (local_types.int_locals)
    builtins: AbstractSet[str] = frozenset({"float", "abs", "min", "max", "round"})  #: builtins not shadowed
    math_modules: AbstractSet[str] = frozenset()  #: names bound to the `math` module (`import math`)
    math_names: AbstractSet[str] = frozenset()  #: names bound to a `math` member (`from math import sqrt`)

    def is_float(self, node: ast.expr | None, floats: AbstractSet[str]) -> bool:
        """Whether `node` certainly gives a float where the names of `floats` hold floats."""
        if node is None:
            return False
        if isinstance(node, ast.Constant):
            return type(node.value) is float
        if isinstance(node, ast.Name):
            return node.id in floats
        if isinstance(node, ast.BinOp):
            return self._binary(node, floats)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return self.is_float(node.operand, floats)
        if isinstance(node, ast.IfExp):
            return self.is_float(node.body, floats) and self.is_float(node.orelse, floats)
        if isinstance(node, ast.BoolOp):
            return all(self.is_float(v, floats) for v in node.values)
        if isinstance(node, ast.Attribute):
            return self._math(node) in MATH_CONSTANTS
        if isinstance(node, ast.Call) and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args):
            return self._call(node, floats)
        return False

    def is_number(self, node: ast.expr, floats: AbstractSet[str]) -> bool:
        """Certainly an int or a float (a bool counts: it is an int)."""
        return self.is_int(node) or self.is_float(node, floats)

    def is_int(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return type(node.value) in (int, bool)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return self.is_int(node.operand)
        return isinstance(node, ast.Name) and node.id in self.ints

    def _binary(self, node: ast.BinOp, floats: AbstractSet[str]) -> bool:
        left, right = node.left, node.right
        if isinstance(node.op, ast.Div):
            return True
        if isinstance(node.op, _ARITHMETIC):
            if self.is_float(left, floats):
                return True  # float.__op__ takes any number and refuses the rest
            if isinstance(node.op, ast.Mod):  # `"%s" % x` formats
                return self.is_float(right, floats) and self.is_number(left, floats)
            return self.is_float(right, floats)  # a JSON value that is no number refuses a float
        if isinstance(node.op, ast.Pow):
            if self.is_float(left, floats) and self.is_int(right):
                return True
            return _negative_int(right) and self.is_number(left, floats)
        return False

    def _call(self, node: ast.Call, floats: AbstractSet[str]) -> bool:
        func, args = node.func, node.args
        if isinstance(func, ast.Name) and func.id in self.builtins:
            if func.id == "float":
                return len(args) <= 1
            if func.id == "abs":
                return len(args) == 1 and self.is_float(args[0], floats)
            if func.id in ("min", "max"):
                return len(args) >= 2 and all(self.is_float(a, floats) for a in args)
            if func.id == "round":
                return len(args) == 2 and self.is_float(args[0], floats) and self.is_int(args[1])
        return self._math(func) in MATH_FLOATS

    def _math(self, node: ast.expr) -> str | None:
        """The `math` member `node` names (`math.sqrt`, or `sqrt` after `from math import sqrt`)."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.math_modules:
            return node.attr
        if isinstance(node, ast.Name) and node.id in self.math_names:
            return node.id
        return None


def _negative_int(node: ast.expr) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
        and type(node.operand.value) is int and node.operand.value > 0


def returns_float(defn: ast.FunctionDef | ast.AsyncFunctionDef, facts: FloatFacts) -> bool:
    """Every way out of `defn` returns a certain float (or raises), judged from its code alone: its
    parameters and its own locals are of unknown type (a `-> float` annotation proves nothing)."""
    from durable_compile.backends.asl.dict_proofs import _never_falls_off, _own_nodes

    if isinstance(defn, ast.AsyncFunctionDef) or any(isinstance(x, ast.Yield | ast.YieldFrom)
                                                     for x in _own_nodes(defn)):
        return False
    returns = [r for r in _own_nodes(defn) if isinstance(r, ast.Return)]
    own = {a.arg for a in ast.walk(defn.args) if isinstance(a, ast.arg)} | {
        t.id for t in _own_nodes(defn) if isinstance(t, ast.Name) and not isinstance(t.ctx, ast.Load)}
    scoped = FloatFacts(frozenset(), facts.builtins - own, facts.math_modules - own, facts.math_names - own)
    return bool(returns) and all(scoped.is_float(r.value, frozenset()) for r in returns) \
        and _never_falls_off(defn.body)
