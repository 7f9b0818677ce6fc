"""The rule base class, the per-file context every rule reads, and the one `report()` funnel.

A rule is a small class named for the mistake: a registered `Code`, `visit_<AstNode>(node, ctx)` methods
that the engine calls in one traversal, and `VALID` / `INVALID` example modules (INVALID lines carry
`# expect: DURxxx`) that tests/rules turns into tests. Its docstring is what `explain` prints.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import ClassVar

from durable_compile import diagnostics as dx
from durable_compile.analyze import apis
from durable_compile.analyze.index import ModuleIndex
from durable_compile.analyze.positions import line_offsets, span_of
from durable_compile.analyze.project import Module
from durable_compile.analyze.regions import Kind, Regions
from durable_compile.analyze.summaries import Effect, Hop, Summaries
from durable_compile.source import Span

#: prepended to every VALID / INVALID example before it is analyzed
PRELUDE = (
    "from aws_durable_execution_sdk_python import (DurableContext, StepContext, durable_execution,\n"
    "    durable_step, durable_with_child_context)\n"
    "from aws_durable_execution_sdk_python.config import Duration\n"
)


@dataclass(frozen=True)
class Edit:
    start: int  #: character offset in the file
    end: int  #: character offset after the replaced text
    text: str  #: replacement


@dataclass(frozen=True)
class Fix:
    title: str  #: what the fix does
    edits: tuple[Edit, ...]  #: non-overlapping edits
    shifts_positions: bool = False  #: inserts a durable operation (in-flight executions see new positions)


@dataclass(frozen=True)
class Finding:
    diagnostic: dx.Diagnostic
    fix: Fix | None = None


@dataclass
class Frame:
    """The def or lambda being traversed and the region it belongs to."""

    node: ast.AST
    kind: Kind | None  #: None: a plain helper (summarised at its call sites instead)
    context: str | None  #: this region's own DurableContext parameter
    outer: frozenset[str]  #: context names of lexically enclosing regions
    scope: str | None  #: qualname of the innermost enclosing def (for name resolution)
    replays: bool = True  #: False for a handler that starts no durable operation

    @property
    def contexts(self) -> frozenset[str]:
        return self.outer | {self.context} if self.context else self.outer


@dataclass
class FileContext:
    """Everything a rule may read about the file, plus the findings collected so far."""

    module: Module
    text: str
    regions: Regions
    summaries: Summaries
    frames: list[Frame] = field(default_factory=list)
    ancestors: list[ast.AST] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    memo: dict[object, object] = field(default_factory=dict)  #: per-file analyses shared by rules (see flow.py)
    frame: Frame | None = None  #: the innermost def or lambda being traversed
    in_orchestration: bool = False  #: the current frame is orchestration code
    in_step: bool = False  #: the current frame is a step body
    _hits: dict[int, apis.Hit | None] = field(default_factory=dict)
    _offsets: list[int] | None = None

    @property
    def path(self) -> str:
        return self.module.path

    @property
    def index(self) -> ModuleIndex:
        return self.module.index

    def push(self, frame: Frame) -> None:
        self.frames.append(frame)
        self._current()

    def pop(self) -> None:
        self.frames.pop()
        self._current()

    def _current(self) -> None:
        frame = self.frames[-1] if self.frames else None
        self.frame = frame
        self.in_orchestration = frame is not None and frame.kind is Kind.ORCHESTRATION
        self.in_step = frame is not None and frame.kind is Kind.STEP

    def parent(self, depth: int = 1) -> ast.AST | None:
        return self.ancestors[-depth] if len(self.ancestors) >= depth else None

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.module.lines)

    def offset(self, line: int, column: int) -> int:
        if self._offsets is None:
            self._offsets = line_offsets(self.text)
        return self._offsets[line - 1] + column - 1

    def node_range(self, node: ast.AST) -> tuple[int, int]:
        span = self.span(node)
        return self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)

    def classify(self, call: ast.Call) -> apis.Hit | None:
        key = id(call)
        if key not in self._hits:
            self._hits[key] = apis.classify_call(call, self.index, self.summaries.settings.nondeterministic)
        return self._hits[key]

    def effects(self, call: ast.Call) -> tuple[Effect, ...]:
        """Transitive effects of a project helper called here (not of regions, which are checked in place)."""
        frame = self.frame
        target = self.summaries.callee(call, self.module, frame.scope if frame else None)
        if target is None or target[1].node is (frame.node if frame else None):
            return ()
        module, fn, called_as = target
        if module is self.module and self.regions.get(fn.node) is not None:
            return ()
        hop = Hop(f"{fn.name}()", self.path, self.span(call))
        return tuple(Effect(e.code, e.api, (hop, *e.chain)) for e in self.summaries.effects(module, fn, called_as))

    def report(self, node: ast.AST, code: str, message: str, *, fix: Fix | None = None,
               effect: Effect | None = None, severity: dx.Severity | None = None) -> None:
        frame = self.frame
        rank = (severity or dx.REGISTRY[code].severity).rank
        if frame is not None and not frame.replays and rank > dx.Severity.INFO.rank:
            severity = dx.Severity.INFO
            message += " (this handler starts no durable operation, so it never replays)"
        related = tuple(dx.Related(h.path, h.span, h.label) for h in effect.chain) if effect else ()
        diagnostic = dx.make(code, self.path, self.span(node), message, severity=severity, related=related)
        self.findings.append(Finding(diagnostic, fix))


class Rule:
    """One determinism mistake. Subclasses set `code` and define `visit_<Node>` methods."""

    code: ClassVar[dx.Code]
    VALID: ClassVar[tuple[str, ...]] = ()
    INVALID: ClassVar[tuple[str, ...]] = ()

    def end(self, ctx: FileContext) -> None:
        """Called once after the traversal (for rules that compare findings across the file)."""


class MutationRule(Rule):
    """A rule about writes: assignments, augmented assignments and mutating calls all reach `check`."""

    def check(self, node: ast.AST, ctx: FileContext) -> None:
        raise NotImplementedError

    def visit_Assign(self, node: ast.Assign, ctx: FileContext) -> None:
        self.check(node, ctx)

    def visit_AugAssign(self, node: ast.AugAssign, ctx: FileContext) -> None:
        self.check(node, ctx)

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        self.check(node, ctx)
