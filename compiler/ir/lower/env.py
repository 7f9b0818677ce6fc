"""The lowering environment: one module's syntax, positions, imports and functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import count

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from durable_compile.discover import ModuleInfo
from durable_compile.ir.exprs import Expr
from durable_compile.source import NO_SPAN, Span


@dataclass
class Env:
    """Shared by every lowering function of one handler."""

    path: str  #: the source file
    info: ModuleInfo  #: discovered functions and imports
    positions: Mapping[cst.CSTNode, CodeRange]  #: libcst positions of every node
    op_ids: count[int] = field(default_factory=lambda: count(1))  #: numbering of operations
    temps: count[int] = field(default_factory=lambda: count(1))  #: numbering of hoisted temporaries
    lowering: set[str] = field(default_factory=set)  #: regions being lowered (recursion guard)
    hoisted: dict[cst.CSTNode, Expr] = field(default_factory=dict)  #: durable call -> its result temporary
    constants: dict[str, cst.BaseExpression] = field(default_factory=dict)  #: module-level `NAME = expr`

    @classmethod
    def for_module(cls, path: str, info: ModuleInfo) -> Env:
        wrapper = MetadataWrapper(info.module, unsafe_skip_copy=True)
        env = cls(path, info, wrapper.resolve(PositionProvider))
        for stmt in info.module.body:
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        env.constants[target.value] = small.value
        return env

    def span(self, node: cst.CSTNode) -> Span:
        pos = self.positions.get(node)
        if pos is None:
            return NO_SPAN
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def code(self, node: cst.CSTNode) -> str:
        return self.info.module.code_for_node(node).strip()

    def next_op_id(self) -> str:
        return f"op{next(self.op_ids)}"

    def next_temp(self) -> str:
        return f"_dc_t{next(self.temps)}"
