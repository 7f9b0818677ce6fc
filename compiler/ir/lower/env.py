"""The lowering environment: one module's syntax, positions, imports and functions."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import count

import libcst as cst

from durable_compile.discover import ModuleInfo
from durable_compile.ir.exprs import Expr
from durable_compile.ir.lower.positions import Lines, Offsets, node_offsets
from durable_compile.source import NO_SPAN, Span


@dataclass
class Env:
    """Shared by every lowering function of one handler."""

    path: str  #: the source file
    info: ModuleInfo  #: discovered functions and imports
    positions: Mapping[int, Offsets]  #: node id -> its character offsets in `text` (positions.py)
    op_ids: count[int] = field(default_factory=lambda: count(1))  #: numbering of operations
    temps: count[int] = field(default_factory=lambda: count(1))  #: numbering of hoisted temporaries
    lowering: set[str] = field(default_factory=set)  #: regions being lowered (recursion guard)
    hoisted: dict[cst.CSTNode, Expr] = field(default_factory=dict)  #: durable call -> its result temporary
    constants: dict[str, cst.BaseExpression] = field(default_factory=dict)  #: module-level `NAME = expr`
    #: contexts of a scope -> names of the nested defs that use one of them through their closure
    closure_helpers: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)

    #: (start, -end, temp) sorted: of two hoisted ranges that start together, the outer one comes first
    hoisted_ranges: list[tuple[int, int, str]] = field(default_factory=list)
    text: str = ""  #: the source text, for slicing expressions' code by position
    lines: Lines = field(default_factory=lambda: Lines(""))  #: offsets -> lines and columns of `text`

    @classmethod
    def for_module(cls, path: str, info: ModuleInfo, text: str | None = None) -> Env:
        found, env_text = node_offsets(info.module, text if text is not None else info.module.code)
        env = cls(path, info, found, text=env_text, lines=Lines(env_text))
        for stmt in info.module.body:
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        env.constants[target.value] = small.value
        return env

    def span(self, node: cst.CSTNode) -> Span:
        pos = self.positions.get(id(node))
        if pos is None:
            return NO_SPAN
        (start_line, start_column), (end_line, end_column) = map(self.lines.position, pos)
        return Span(start_line, start_column + 1, end_line, end_column + 1)

    def offsets(self, node: cst.CSTNode) -> Offsets | None:
        return self.positions.get(id(node))

    def code(self, node: cst.CSTNode) -> str:
        """The node's source text, sliced from the file by its position (no code generation), with every
        hoisted durable call inside it replaced by the temporary that holds its result."""
        span = self.offsets(node)
        if span is None:
            return self.info.module.code_for_node(node).strip()
        start, end = span
        parts, cursor = [], start
        first = bisect.bisect_left(self.hoisted_ranges, (start, -end, ""))
        for h_start, minus_end, temp in self.hoisted_ranges[first:]:
            h_end = -minus_end
            if h_start >= end:
                break
            if h_start < cursor or h_end > end or (h_start, h_end) == (start, end):
                continue
            parts += [self.text[cursor:h_start], temp]
            cursor = h_end
        parts.append(self.text[cursor:end])
        return "".join(parts).strip()

    def raw_code(self, node: cst.CSTNode) -> str:
        """The node's source text as written (hoisted calls included)."""
        span = self.offsets(node)
        return self.text[span[0]:span[1]] if span is not None else self.info.module.code_for_node(node)

    def hoist(self, call: cst.CSTNode, temp: Expr) -> None:
        """Record that `call` is evaluated before its statement and its result lives in `temp` (a function
        lowered again, as a second child context of the same def, hoists the same call to a new temp)."""
        self.hoisted[call] = temp
        span = self.offsets(call)
        if span is not None:
            key = (span[0], -span[1])
            at = bisect.bisect_left(self.hoisted_ranges, (*key, ""))
            if at < len(self.hoisted_ranges) and self.hoisted_ranges[at][:2] == key:
                self.hoisted_ranges[at] = (*key, temp.code)
            else:
                self.hoisted_ranges.insert(at, (*key, temp.code))

    def next_op_id(self) -> str:
        return f"op{next(self.op_ids)}"

    def next_temp(self) -> str:
        return f"_dc_t{next(self.temps)}"
