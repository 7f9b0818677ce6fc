"""Typed JSONata expressions: a translated expression with the Python type of its value, and the small
helpers the translator and the emitter share (type tests, type joins, cheap-to-repeat checks)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from durable_compile.backends.asl.jsonata import (
    Array,
    Binary,
    Expr,
    Field,
    Lit,
    Var,
    call,
)

#: static types: bool int float number str list dict none any ("float" is certainly a float, "number" an
#: int or a float: float_exprs.py)
NUMBERS = frozenset({"int", "float", "number"})
#: the fields of a caught durable error ("error" type) that JSONata can read
ERROR_FIELDS = frozenset({"message", "error_type"})
_COMPARE = {ast.Eq: "=", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
            ast.Is: "=", ast.IsNot: "!="}


class NotTranslatable(Exception):
    """The expression has no faithful JSONata translation."""

    def __init__(self, node: ast.AST, reason: str) -> None:
        super().__init__(reason)
        self.node = node  #: the offending sub-expression
        self.reason = reason  #: what is not supported


@dataclass(frozen=True)
class Typed:
    """A JSONata expression with the Python type of its value."""

    expr: Expr  #: the JSONata expression
    type: str  #: bool int float str list dict none any


def is_simple(expr: Expr) -> bool:
    """Cheap to evaluate twice: literals, variables and field paths of them."""
    while isinstance(expr, Field):
        expr = expr.base
    return isinstance(expr, Lit | Var)


def type_test(expr: Expr, name: str) -> Expr:
    return Binary("=", call("type", expr), Lit(name))


def join_types(a: str, b: str) -> str:
    if a == b:
        return a
    return "number" if {a, b} <= NUMBERS else "any"


def _last_value_wins(pairs: list[tuple[Expr, Expr]]) -> tuple[tuple[Expr, Expr], ...]:
    """Python keeps a repeated literal key at its first place with its last value; JSONata would fail."""
    latest = {k: v for k, v in pairs if isinstance(k, Lit)}
    placed: set[Expr] = set()
    kept = []
    for k, v in pairs:
        if k not in placed:
            kept.append((k, latest.get(k, v)))
        if isinstance(k, Lit):
            placed.add(k)
    return tuple(kept)


def _nested(item: Typed) -> Expr:
    """An array constructor item that stays one element: JSONata flattens array values that are not
    themselves written as constructors."""
    return Array((item.expr,)) if item.type == "list" and not isinstance(item.expr, Array) else item.expr
