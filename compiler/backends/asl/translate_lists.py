"""Lists in handler code -> JSONata: `range`, `reversed`, `list`, and `x.append(v)` on list locals.

Takes what the expression translator takes, with list locals typed "list" (local_types.py); gives
`Typed` JSONata or `NotTranslatable`, as the base translator does. These are the calls handlers make
to build and walk lists between durable operations; translating them keeps such plain statements in
the state machine's `Assign`s instead of lifting each into a Lambda task.
Meaning kept: `range` counts like Python (an empty range when the end is not past the start; a
non-integer bound fails loudly, as JSONata's `..` requires integers); `reversed`/`list` of a list.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from durable_compile.backends.asl.batch import BatchTranslator
from durable_compile.backends.asl.jsonata import CONDITION_POWER, Binary, Expr, Lit, call, operand
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.ir import nodes as n

#: positions inside `[a..b]` need operands that bind tighter than the range operator
_RANGE_OPERAND = CONDITION_POWER + 1


@dataclass(frozen=True)
class Range(Expr):
    """The array of consecutive integers `[lo..hi]` (empty when hi < lo)."""

    lo: Expr  #: first integer
    hi: Expr  #: last integer, included

    def text(self) -> str:
        return f"[{operand(self.lo, _RANGE_OPERAND)}..{operand(self.hi, _RANGE_OPERAND)}]"


class ListTranslator(BatchTranslator):
    """The expression translator (with BatchResult reads) plus the list built-ins."""

    def call_range(self, node: ast.Call, args: list[Typed]) -> Typed:
        if not 1 <= len(args) <= 2:
            raise NotTranslatable(node, "range() with a step has no JSONata translation")
        self._numbers(node, *args)
        if any(a.type == "float" for a in args):  # Python refuses a float (TypeError); JSONata takes a whole one
            raise NotTranslatable(node, "range() of a float")
        lo, end = (Typed(Lit(0), "int"), args[0]) if len(args) == 1 else (args[0], args[1])
        return Typed(Range(lo.expr, _minus_one(end.expr)), "list")

    def call_reversed(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = self._one_list(node, args, "reversed")
        return Typed(call("reverse", value.expr), "list")

    def call_list(self, node: ast.Call, args: list[Typed]) -> Typed:
        return self._one_list(node, args, "list")[0]

    def _one_list(self, node: ast.Call, args: list[Typed], name: str) -> list[Typed]:
        if len(args) != 1 or args[0].type != "list":
            raise NotTranslatable(node, f"{name}() is translated only for a list")
        return args


def _minus_one(end: Expr) -> Expr:
    """`end - 1`, written short for `range(1, n + 1)` and literal ends."""
    if isinstance(end, Lit) and isinstance(end.value, int) and not isinstance(end.value, bool):
        return Lit(end.value - 1)
    if isinstance(end, Binary) and end.op == "+" and end.rhs == Lit(1):
        return end.lhs
    return Binary("-", end, Lit(1))


def appended(stmt: n.Stmt, lists: set[str]) -> tuple[str, ast.expr] | None:
    """(list name, the Python expression of its new value) when `stmt` is `name.append(value)` on a
    list local; the new value is `name + [value]`."""
    if not isinstance(stmt, n.ExprStmt):
        return None
    try:
        node = ast.parse(stmt.value.code.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name) and node.func.value.id in lists
            and len(node.args) == 1 and not node.keywords):
        return None
    name = node.func.value.id
    return name, ast.BinOp(ast.Name(name, ast.Load()), ast.Add(), ast.List([node.args[0]], ast.Load()))
