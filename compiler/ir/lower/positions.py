"""Positions: every node of a libcst module -> (start line, start column, end line, end column).

Lines are 1-based, columns 0-based, exactly as libcst's `PositionProvider` computes them (a test compares
the two on every sample, golden input and module of this package). Why not the provider itself: it
builds three frozen `CodePosition`/`CodeRange` objects per node and, through `MetadataWrapper.resolve`,
walks the whole tree once more for batchable providers even when there are none; on a 3,000-operation
handler that cost about as much as parsing. This generates the code once, as the provider does, and
records plain tuples. It relies on libcst's code generator hooks (`CodegenState`); if they ever move,
`positions` falls back to the provider.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst

Range = tuple[int, int, int, int]  #: start line, start column, end line, end column
NEWLINE = re.compile(r"\r\n?|\n")

try:
    from libcst._nodes.internal import CodegenState
except ImportError:  # pragma: no cover - a libcst without the hook: use the provider
    CodegenState = None  # type: ignore[assignment,misc]


def positions(module: cst.Module) -> dict[cst.CSTNode, Range]:
    """The syntactic range of every node (whitespace a node does not need is left out, as libcst does)."""
    if CodegenState is not None and hasattr(module, "_codegen"):
        state = _State(module.default_indent, module.default_newline)
        module._codegen(state)
        return state.found
    return _from_provider(module)


def _from_provider(module: cst.Module) -> dict[cst.CSTNode, Range]:
    from libcst.metadata import MetadataWrapper, PositionProvider

    found = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in found.items()}


if CodegenState is not None:
    class _State(CodegenState):
        """libcst's code generator state, following line and column as tokens are added."""

        def __init__(self, indent: str, newline: str) -> None:
            super().__init__(default_indent=indent, default_newline=newline)
            self.line, self.column = 1, 0
            self.starts: list[tuple[int, int]] = []
            self.found: dict[cst.CSTNode, Range] = {}

        def add_indent_tokens(self) -> None:
            for token in self.indent_tokens:
                self.add_token(token)

        def add_token(self, value: str) -> None:
            self.tokens.append(value)
            if "\n" in value or "\r" in value:
                parts = NEWLINE.split(value)
                self.line += len(parts) - 1
                self.column = len(parts[-1])
            else:
                self.column += len(value)

        def before_codegen(self, node: cst.CSTNode) -> None:
            self.starts.append((self.line, self.column))

        def after_codegen(self, node: cst.CSTNode) -> None:
            line, column = self.starts.pop()
            if node not in self.found:  # a syntactic position recorded inside wins
                self.found[node] = (line, column, self.line, self.column)

        @contextmanager
        def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                      end_node: cst.CSTNode | None = None) -> Iterator[None]:
            line, column = self.line, self.column
            try:
                yield
            finally:
                end = (self.line, self.column) if end_node is None else self.found[end_node][2:]
                start = (line, column) if start_node is None else self.found[start_node][:2]
                self.found[node] = (*start, *end)  # type: ignore[assignment]
