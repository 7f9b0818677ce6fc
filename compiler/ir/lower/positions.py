"""Positions: every node of a libcst module -> its character offsets in the module's text.

`node_offsets` gives (start, end) offsets into the text libcst generates for the module (the source as
parsed); `Lines` turns an offset into libcst's (line, column): lines 1-based, columns 0-based, exactly as
libcst's `PositionProvider` computes them (a test compares the two on every sample, golden input and
module of this package). Why not the provider itself: it builds three frozen `CodePosition`/`CodeRange`
objects per node, follows lines and columns through every token and, through `MetadataWrapper.resolve`,
walks the whole tree once more; on a 3,000-operation handler that cost about as much as parsing. This
generates the code once, as the provider does, adding up token lengths only. It relies on libcst's code
generator hooks (`CodegenState`); if they ever move, `node_offsets` falls back to the provider.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any

import libcst as cst

from durable_compile.ir.lower.children import children

Range = tuple[int, int, int, int]  #: start line, start column, end line, end column
Offsets = tuple[int, int]  #: start and end character offsets in the module's text
NEWLINE = re.compile(r"\r\n?|\n")

try:
    from libcst._nodes.internal import CodegenState
except ImportError:  # pragma: no cover - a libcst without the hook: use the provider
    CodegenState = None  # type: ignore[assignment,misc]


class Lines:
    """Offset -> (line, column) in one text, lines split as libcst splits them (CR, LF, CRLF)."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in NEWLINE.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1]

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column


def node_offsets(module: cst.Module, text: str) -> tuple[dict[int, Offsets], str]:
    """The syntactic offsets of every node by `id` (while the module lives; whitespace a node does not
    need is left out, as libcst does),
    and the text they index: `text` when it is the module's code (libcst drops a byte-order mark and form
    feeds at the start of a line), else the module's code; followed, when the source has no final newline,
    by the one libcst's nodes end with."""
    if CodegenState is not None and hasattr(module, "_codegen"):
        state = _State(module.default_indent, module.default_newline)
        module._codegen(state)
        layout = text + state.popped
        return state.found, layout if state.offset == len(layout) else module.code + state.popped
    code = module.code + ("" if module.has_trailing_newline or not module.body else module.default_newline)
    lines = Lines(code)
    return {id(node): (lines.offset(*r[:2]), lines.offset(*r[2:]))
            for node, r in _from_provider(module).items()}, code


def positions(module: cst.Module) -> dict[cst.CSTNode, Range]:
    """The syntactic (line, column) range of every node, as libcst's `PositionProvider` gives it."""
    found, text = node_offsets(module, module.code)
    lines = Lines(text)
    return {node: (*lines.position(found[id(node)][0]), *lines.position(found[id(node)][1]))
            for node in _nodes(module)}


def _nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in children(node):
        yield from _nodes(child)


def _from_provider(module: cst.Module) -> dict[cst.CSTNode, Range]:
    from libcst.metadata import MetadataWrapper, PositionProvider

    found = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in found.items()}


class _Syntactic:
    """`record_syntactic_position` as a plain context manager (a generator-based one costs more than the
    rest of the bookkeeping: expressions open one for their parentheses)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _State, node: cst.CSTNode, start_node: cst.CSTNode | None,
                 end_node: cst.CSTNode | None) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node
        self.start = state.offset

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        found = self.state.found
        start = self.start if self.start_node is None else found[id(self.start_node)][0]
        end = self.state.offset if self.end_node is None else found[id(self.end_node)][1]
        found[id(self.node)] = (start, end)


if CodegenState is not None:
    class _State(CodegenState):
        """libcst's code generator state, adding up the length of the text as it goes."""

        def __init__(self, indent: str, newline: str) -> None:
            super().__init__(default_indent=indent, default_newline=newline)
            self.offset = 0
            self.popped = ""  #: the final newline libcst drops when the source has none (nodes still end with it)
            self.starts: list[int] = []
            self.found: dict[int, Offsets] = {}

        def add_indent_tokens(self) -> None:
            for token in self.indent_tokens:
                self.offset += len(token)

        def add_token(self, value: str) -> None:
            self.tokens.append(value)
            self.offset += len(value)

        def pop_trailing_newline(self) -> None:
            if self.tokens:
                self.popped = self.tokens.pop()

        def before_codegen(self, node: cst.CSTNode) -> None:
            self.starts.append(self.offset)

        def after_codegen(self, node: cst.CSTNode) -> None:
            # keyed by id: nodes hash by id through a Python method; a syntactic position recorded inside wins
            self.found.setdefault(id(node), (self.starts.pop(), self.offset))

        def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                      end_node: cst.CSTNode | None = None) -> Any:
            return _Syntactic(self, node, start_node, end_node)
