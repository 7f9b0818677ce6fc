"""Expression IR: the orchestration code between durable operations, in a form backends can translate.

Every expression keeps `code`, its Python source, so a backend that cannot translate a construct can say
exactly which one (and the Python backend can re-emit it verbatim). Constructs with no structured form
(comprehensions, starred arguments, walrus, await, ...) are `Opaque` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from durable_compile.source import Span


@dataclass(frozen=True)
class Expr:
    code: str  #: the Python source of this expression
    span: Span  #: where it is


@dataclass(frozen=True)
class Name(Expr):
    id: str  #: the variable


@dataclass(frozen=True)
class Const(Expr):
    value: None | bool | int | float | str | bytes  #: a literal


@dataclass(frozen=True)
class Attr(Expr):
    value: Expr  #: the object
    attr: str  #: the attribute name


@dataclass(frozen=True)
class Subscript(Expr):
    value: Expr  #: the container
    index: Expr  #: the key, index or `Slice`


@dataclass(frozen=True)
class Slice(Expr):
    lower: Expr | None
    upper: Expr | None
    step: Expr | None


@dataclass(frozen=True)
class Keyword:
    name: str  #: the keyword
    value: Expr  #: its value


@dataclass(frozen=True)
class Call(Expr):
    func: Expr  #: what is called
    args: tuple[Expr, ...]  #: positional arguments
    kwargs: tuple[Keyword, ...]  #: keyword arguments
    qualname: str | None  #: the callee resolved through imports (`sdk:Duration.from_minutes`), if known


@dataclass(frozen=True)
class BinOp(Expr):
    left: Expr
    op: str  #: one of + - * / // % ** @ & | ^ << >>
    right: Expr


@dataclass(frozen=True)
class UnaryOp(Expr):
    op: str  #: one of not - + ~
    operand: Expr


@dataclass(frozen=True)
class BoolOp(Expr):
    op: str  #: "and" or "or" (Python semantics: returns an operand)
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare(Expr):
    left: Expr
    ops: tuple[str, ...]  #: == != < <= > >= in "not in" is "is not"
    comparators: tuple[Expr, ...]


@dataclass(frozen=True)
class IfExp(Expr):
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True)
class ListExpr(Expr):
    elts: tuple[Expr, ...]


@dataclass(frozen=True)
class TupleExpr(Expr):
    elts: tuple[Expr, ...]


@dataclass(frozen=True)
class DictItem:
    key: Expr | None  #: None for `**spread`
    value: Expr


@dataclass(frozen=True)
class DictExpr(Expr):
    items: tuple[DictItem, ...]


@dataclass(frozen=True)
class FormattedValue:
    value: Expr  #: the expression inside `{...}`
    conversion: str | None  #: "r", "s", "a" or None
    format_spec: str | None  #: literal format spec, if any


@dataclass(frozen=True)
class FString(Expr):
    parts: tuple[str | FormattedValue, ...]  #: literal text and replacement fields, in order


@dataclass(frozen=True)
class Lambda(Expr):
    params: tuple[str, ...]  #: positional parameter names
    body: Expr  #: the body expression


@dataclass(frozen=True)
class Opaque(Expr):
    reason: str  #: why it has no structured form (e.g. "list comprehension")


def names_in(expr: Expr) -> list[str]:
    """Every variable name read by `expr`, in source order (lambda parameters excluded)."""
    found: list[str] = []
    _collect_names(expr, found, frozenset())
    return found


def _collect_names(node: object, out: list[str], bound: frozenset[str]) -> None:
    if isinstance(node, Name):
        if node.id not in bound:
            out.append(node.id)
        return
    if isinstance(node, Lambda):
        _collect_names(node.body, out, bound | frozenset(node.params))
        return
    for child in children(node):
        _collect_names(child, out, bound)


def children(node: object) -> list[object]:
    """The sub-expressions (and keyword/dict/f-string parts) of an expression node, in order."""
    if isinstance(node, Expr | Keyword | DictItem | FormattedValue):
        values = [getattr(node, f) for f in node.__dataclass_fields__ if f not in ("code", "span")]
    elif isinstance(node, tuple):
        values = list(node)
    else:
        return []
    flat: list[object] = []
    for value in values:
        if isinstance(value, tuple):
            flat.extend(v for v in value if not isinstance(v, str))
        elif isinstance(value, Expr | Keyword | DictItem | FormattedValue):
            flat.append(value)
    return flat
