"""A typed JSONata expression builder that prints only the parentheses it needs.

Expressions are frozen dataclasses; `render(expr)` prints JSONata 2.0 text. Each node knows its binding
power (the JSONata parser's operator table): an operand is parenthesized only when it binds less
tightly than its position requires. Binary operators are left-associative, `? :` is right-associative.
`wrap(expr)` gives the ASL form "{% ... %}".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

#: binding powers of the JSONata parser (higher binds tighter)
BINARY_POWER = {
    "or": 25, "and": 30,
    "=": 40, "!=": 40, "<": 40, "<=": 40, ">": 40, ">=": 40, "in": 40,
    "+": 50, "-": 50, "&": 50,
    "*": 60, "/": 60, "%": 60,
}
CONDITION_POWER = 20
BIND_POWER = 10
PREFIX_POWER = 70  #: unary minus
PATH_POWER = 75  #: the "." path step
ATOM_POWER = 100  #: literals, variables, calls, constructors, blocks, subscripts
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})


class Expr:
    """Base of all JSONata expression nodes."""

    def power(self) -> int:
        return ATOM_POWER

    def text(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Lit(Expr):
    """A JSON literal: number, string, boolean or null (arrays and objects use the constructors)."""

    value: bool | int | float | str | None  #: the literal value

    def power(self) -> int:
        is_number = isinstance(self.value, int | float) and not isinstance(self.value, bool)
        return PREFIX_POWER if is_number and self.value < 0 else ATOM_POWER  # type: ignore[operator]

    def text(self) -> str:
        value = self.value
        if value is None or isinstance(value, bool):
            return json.dumps(value)
        if isinstance(value, str):
            return string_literal(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)


@dataclass(frozen=True)
class Var(Expr):
    """A variable `$name`; the empty name is the context `$`."""

    name: str  #: without the dollar

    def text(self) -> str:
        return "$" + self.name


@dataclass(frozen=True)
class Field(Expr):
    """A path step `base.name` (maps over arrays, as JSONata paths do)."""

    base: Expr  #: the object
    name: str  #: the field name, quoted with backticks when not an identifier

    def power(self) -> int:
        return PATH_POWER

    def text(self) -> str:
        name = self.name if _IDENT.fullmatch(self.name) and self.name not in _KEYWORDS else f"`{self.name}`"
        return f"{operand(self.base, PATH_POWER)}.{name}"


@dataclass(frozen=True)
class Index(Expr):
    """A predicate/index `base[index]`."""

    base: Expr  #: the array
    index: Expr  #: a number selects by position (negative from the end)

    def text(self) -> str:
        return f"{operand(self.base, PATH_POWER)}[{render(self.index)}]"


@dataclass(frozen=True)
class Call(Expr):
    """A function call `$name(args)`."""

    name: str  #: function name without the dollar
    args: tuple[Expr, ...] = ()  #: the arguments

    def text(self) -> str:
        return f"${self.name}({', '.join(render(a) for a in self.args)})"


@dataclass(frozen=True)
class Binary(Expr):
    """A binary operator (left-associative)."""

    op: str  #: a key of BINARY_POWER
    lhs: Expr  #: left operand
    rhs: Expr  #: right operand

    def power(self) -> int:
        return BINARY_POWER[self.op]

    def text(self) -> str:
        bp = BINARY_POWER[self.op]
        return f"{operand(self.lhs, bp)} {self.op} {operand(self.rhs, bp + 1)}"


@dataclass(frozen=True)
class Neg(Expr):
    """Unary minus."""

    operand: Expr  #: the negated expression

    def power(self) -> int:
        return PREFIX_POWER

    def text(self) -> str:
        inner = operand(self.operand, PREFIX_POWER)
        return f"-{inner}" if not inner.startswith("-") else f"-({inner})"


@dataclass(frozen=True)
class Cond(Expr):
    """The conditional `test ? then : else` (right-associative)."""

    test: Expr  #: must bind tighter than `?`
    then: Expr  #: value when the test is true
    orelse: Expr  #: value otherwise

    def power(self) -> int:
        return CONDITION_POWER

    def text(self) -> str:
        test = operand(self.test, CONDITION_POWER + 1)
        then = operand(self.then, CONDITION_POWER + 1)
        return f"{test} ? {then} : {operand(self.orelse, CONDITION_POWER)}"


@dataclass(frozen=True)
class Block(Expr):
    """A block `(e1; e2; ...)` with its own variable scope; its value is the last expression's."""

    body: tuple[Expr, ...]  #: the expressions in order

    def text(self) -> str:
        return "(" + "; ".join(render(e) for e in self.body) + ")"


@dataclass(frozen=True)
class Bind(Expr):
    """A binding `$name := value` (inside a Block)."""

    name: str  #: the bound variable, without the dollar
    value: Expr  #: its value

    def power(self) -> int:
        return BIND_POWER

    def text(self) -> str:
        return f"${self.name} := {operand(self.value, BIND_POWER)}"


@dataclass(frozen=True)
class Array(Expr):
    """An array constructor `[a, b]`."""

    items: tuple[Expr, ...]  #: the elements

    def text(self) -> str:
        return "[" + ", ".join(render(i) for i in self.items) + "]"


@dataclass(frozen=True)
class Object(Expr):
    """An object constructor `{k: v}` (keys are expressions that give strings)."""

    pairs: tuple[tuple[Expr, Expr], ...]  #: (key, value) in order

    def text(self) -> str:
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in self.pairs) + "}"


@dataclass(frozen=True)
class Lambda(Expr):
    """A function `function($a, $b) { body }`."""

    params: tuple[str, ...]  #: parameter names without the dollar
    body: Expr  #: the body

    def text(self) -> str:
        return f"function({', '.join('$' + p for p in self.params)}) {{ {render(self.body)} }}"


def render(expr: Expr) -> str:
    return expr.text()


def operand(expr: Expr, needed: int) -> str:
    """Render `expr` where the position needs binding power `needed`, adding parentheses if weaker."""
    text = expr.text()
    return text if expr.power() >= needed else f"({text})"


def wrap(expr: Expr) -> str:
    """The ASL form of an expression."""
    return "{% " + render(expr) + " %}"


def string_literal(value: str) -> str:
    """A JSONata string literal; single quotes read better inside the JSON of an ASL document."""
    dumped = json.dumps(value, ensure_ascii=False)
    inner = dumped[1:-1]
    if "'" not in value and '\\"' not in inner:
        return f"'{inner}'"
    return dumped


def call(name: str, *args: Expr) -> Call:
    return Call(name, tuple(args))


def array(items: Sequence[Expr]) -> Array:
    return Array(tuple(items))
