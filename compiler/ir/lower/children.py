"""Children of a libcst node, in libcst's visiting (source) order, without libcst's visitor.

`CSTNode.children` and `CSTNode.visit` rebuild every node they pass (libcst's visitors may transform);
the lowering only reads, and on a 3,000-operation handler that rebuilding cost as much as the lowering
itself. `children(node)` gives the same nodes as `node.children`, in the same order (a test compares the
two on every node of the samples, the golden inputs and this package's own modules). The field order of
each node class is learnt once, from libcst itself: the attributes its visitor announces, in order.
"""

from __future__ import annotations

import dataclasses
from inspect import isabstract
from typing import Any, Literal, get_args, get_origin, get_type_hints

import libcst as cst
from libcst import MaybeSentinel

_TOKEN_BASES = (
    cst.BaseParenthesizableWhitespace, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
    cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
    cst.RightCurlyBrace, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.BaseBinaryOp,
    cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp, cst.Name, cst.BaseNumber,
    cst.SimpleString, cst.Ellipsis)
#: classes whose nodes hold no expression (whitespace, brackets, separators, operators, names, literals)
TOKENS = frozenset(kind for kind in vars(cst).values()
                   if isinstance(kind, type) and issubclass(kind, _TOKEN_BASES) and not isabstract(kind))
_ORDER: dict[type, tuple[str, ...]] = {}  #: node class -> its node-holding fields in visiting order
_INNER: dict[type, tuple[str, ...]] = {}  #: node class -> those of its fields that may hold an expression


class _FieldOrder(cst.CSTVisitor):
    """Records the fields a node's visitor announces, without descending into them."""

    def __init__(self) -> None:
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if attribute not in self.fields:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None


def _learn(node: cst.CSTNode) -> tuple[str, ...]:
    """The visiting order of `node`'s class; fields its visitor skipped on this node (a field visited only
    when set, such as an f-string's format spec, which is last) follow in declaration order."""
    recorder = _FieldOrder()
    node._visit_and_replace_children(recorder)
    rest = [f.name for f in dataclasses.fields(node) if f.name not in recorder.fields]
    order = _ORDER[type(node)] = (*recorder.fields, *rest)
    return order


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`node.children`, read from the fields (no node is rebuilt)."""
    order = _ORDER.get(type(node))
    if order is None:
        order = _learn(node)
    found: list[cst.CSTNode] = []
    for name in order:
        value: Any = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            found.extend(value)
        elif _is_node(kind):
            found.append(value)
    return found


def expression_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`children(node)` without its `TOKENS` (the fields that can only hold tokens are not even read)."""
    inner = _INNER.get(type(node))
    if inner is None:
        inner = _learn_inner(node)
    found: list[cst.CSTNode] = []
    for name in inner:
        value: Any = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            found.extend(item for item in value if type(item) not in TOKENS)
        elif _is_node(kind) and kind not in TOKENS:
            found.append(value)
    return found


def _learn_inner(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields of `node`'s class, in visiting order, whose declared type admits some non-token node
    (every field, when the declarations cannot be read)."""
    order = _ORDER.get(type(node))
    if order is None:
        order = _learn(node)
    try:
        hints = get_type_hints(type(node))
    except Exception:  # an unresolvable annotation: read every field
        hints = {}
    inner = _INNER[type(node)] = tuple(f for f in order if f not in hints or not _tokens_only(hints[f]))
    return inner


def _tokens_only(annotation: Any) -> bool:
    """Whether a field declared `annotation` can only hold tokens, strings, None or a sentinel."""
    if get_origin(annotation) is Literal:
        return True
    args = get_args(annotation)
    if args:
        return all(_tokens_only(arg) for arg in args)
    if annotation in (str, type(None), MaybeSentinel):
        return True
    return isinstance(annotation, type) and issubclass(annotation, _TOKEN_BASES)


_NODE_CLASSES: dict[type, bool] = {}  #: class -> whether it is a CSTNode (isinstance on ABCs is slow)


def _is_node(kind: type) -> bool:
    known = _NODE_CLASSES.get(kind)
    if known is None:
        known = _NODE_CLASSES[kind] = issubclass(kind, cst.CSTNode)
    return known
