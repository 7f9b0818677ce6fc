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
from typing import Any

import libcst as cst

#: classes whose nodes hold no expression (whitespace, brackets, separators, operators, names, literals)
TOKENS = frozenset(
    kind for kind in vars(cst).values()
    if isinstance(kind, type) and issubclass(kind, (
        cst.BaseParenthesizableWhitespace, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
        cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
        cst.RightCurlyBrace, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.BaseBinaryOp,
        cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp, cst.Name, cst.BaseNumber,
        cst.SimpleString, cst.Ellipsis)) and not isabstract(kind))
_ORDER: dict[type, tuple[str, ...]] = {}  #: node class -> its node-holding fields in visiting order


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
    order = _ORDER.get(type(node)) or _learn(node)
    found: list[cst.CSTNode] = []
    for name in order:
        value: Any = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            found.extend(value)
        elif _is_node(kind):
            found.append(value)
    return found


_NODE_CLASSES: dict[type, bool] = {}  #: class -> whether it is a CSTNode (isinstance on ABCs is slow)


def _is_node(kind: type) -> bool:
    known = _NODE_CLASSES.get(kind)
    if known is None:
        known = _NODE_CLASSES[kind] = issubclass(kind, cst.CSTNode)
    return known
