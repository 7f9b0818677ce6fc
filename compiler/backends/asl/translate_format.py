"""Integer format specs in f-strings -> JSONata: `{n:d}`, `{n:5d}` (spaces) and `{n:05d}` (zeros).

Takes the f-string part; gives JSONata text or `NotTranslatable`. Python formats an int (and a bool, as
1 or 0) with `d` and raises for anything else (ValueError for floats and strings, TypeError for None
and containers); the translation pads `$string` of the number the same way (the sign before the
zeros: `-0042`) and fails with `$error` for a value that is not a whole number or a boolean. Other
specs stay lifted, and so does a spec of a value known to be a float (Python raises ValueError). Known
deviation: numbers are doubles, so a float of unknown type with a whole value (`3.0`, which Python
refuses) is formatted like the int, and integers from 10**21 on print in exponent form.
"""

from __future__ import annotations

import ast
import re

from durable_compile.backends.asl.jsonata import Binary, Cond, Expr, Lit, Neg, call
from durable_compile.backends.asl.translate import NotTranslatable
from durable_compile.backends.asl.translate_json import JsonTranslator
from durable_compile.backends.asl.typed import type_test

_INTEGER_SPEC = re.compile(r"(0?)([1-9][0-9]*)?d")


class FormatTranslator(JsonTranslator):
    """The JSON translator plus integer format specs."""

    def formatted(self, part: ast.FormattedValue) -> Expr:
        spec = part.format_spec
        text = spec.values[0].value if isinstance(spec, ast.JoinedStr) and len(spec.values) == 1 and \
            isinstance(spec.values[0], ast.Constant) else None
        found = _INTEGER_SPEC.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise NotTranslatable(part, "only integer format specs (d, 5d, 05d) are translated")
        zeros, width = found.group(1) == "0", int(found.group(2) or 0)
        value = self.translate(part.value)
        if value.type == "bool":
            return _bool_padded(value.expr, zeros, width)
        if value.type == "int":
            return self.let(value.expr, lambda v: _padded(v, zeros, width))
        if value.type != "any":
            raise NotTranslatable(part, f"the format spec {text!r} fails on a {value.type} value")
        self.guard(part, "TypeError", "")
        error = self.guard(part, "ValueError", f"format code {text!r} needs an integer")
        return self.let(value.expr, lambda v: Cond(
            type_test(v, "boolean"), _bool_padded(v, zeros, width), Cond(
                Binary("and", type_test(v, "number"), Binary("=", call("floor", v), v)),
                _padded(v, zeros, width), error)))


def _bool_padded(flag: Expr, zeros: bool, width: int) -> Expr:
    """A boolean formatted as the int it is in Python (1 or 0): never negative."""
    digits = Cond(flag, Lit("1"), Lit("0"))
    return digits if width <= 1 else call("pad", digits, Lit(-width), Lit("0" if zeros else " "))


def _padded(number: Expr, zeros: bool, width: int) -> Expr:
    """The decimal digits of a whole number, right-aligned to `width` with spaces, or zeros after the sign."""
    digits = call("string", number)
    if width <= 1:
        return digits
    if not zeros:
        return call("pad", digits, Lit(-width))
    return Cond(Binary("<", number, Lit(0)),
                Binary("&", Lit("-"), call("pad", call("string", Neg(number)), Lit(-(width - 1)), Lit("0"))),
                call("pad", digits, Lit(-width), Lit("0")))
