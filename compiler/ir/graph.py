"""The operation graph: a handler's IR as a networkx control-flow `DiGraph`.

Takes a lowered `Handler`; gives a DiGraph with one node per durable operation and per control construct
(start, end, code, if, match, for, while, try, except, finally, with, return, raise, break, continue,
join, call), and
edges labelled with the branch taken (true/false, each/loop/done, except ..., branch names). The bodies
of child contexts, parallel branches and map item functions are nested regions: their nodes carry
`parent` = the id of the operation that runs them, between a `start` and an `end` node, and the
operation's `join` node follows them. Node ids are assigned in source order, so the graph (and every
diagram drawn from it) is deterministic. The only module that imports networkx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from durable_compile.ir import exprs as e
from durable_compile.ir import nodes as n
from durable_compile.source import Span

PLAIN = (n.Assign, n.AugAssign, n.ExprStmt, n.Pass, n.OpaqueStmt, n.LocalDef)
Exits = list[tuple[str, str]]  # (node id, label of the edge that leaves it)
TEMPORARY = re.compile(r"\b_dc_t\d+\b")  #: a value the lowering hoisted into a temporary


@dataclass
class _Loop:
    head: str  #: the loop node (continue goes here)
    finals: int  #: how many `finally` blocks enclosed the loop when it started
    breaks: Exits = field(default_factory=list)


@dataclass
class _Final:
    """A `finally` block that break/continue/return inside its `try` must run first."""

    node: str  #: the finally node
    jumps: list[tuple[str, str]] = field(default_factory=list)  #: (edge label, target) to take after it
    breaks: list[_Loop] = field(default_factory=list)  #: loops a `break` leaves through it


@dataclass
class _Region:
    end: str  #: where return goes
    parent: str | None  #: enclosing operation id, None at the top level


class GraphBuilder:
    def __init__(self) -> None:
        self.g = nx.DiGraph()
        self.counter = 0
        self.finals: list[_Final] = []  #: enclosing `finally` blocks, innermost last
        self.temporaries: dict[str, str] = {}  #: hoisted temporary -> how labels show it

    def readable(self, text: str) -> str:
        """`text` with the lowering's temporaries shown as what they hold: `«name»` for an operation's
        result, `«comprehension»` for the value a rewritten comprehension builds."""
        if "_dc_t" not in text:
            return text
        return TEMPORARY.sub(lambda m: self.temporaries.get(m.group(), m.group()), text)

    def add(self, kind: str, name: str, span: Span, region: _Region | None, node_id: str | None = None,
            **attrs: Any) -> str:
        """Add a node (ids `n0`, `n1`, ... in creation order unless given) inside `region`."""
        if node_id is None:
            node_id = f"n{self.counter}"
            self.counter += 1
        parent = region.parent if region else None
        if "op" not in attrs:
            name = self.readable(name)
        self.g.add_node(node_id, kind=kind, name=name, span=span, parent=parent, **attrs)
        return node_id

    def link(self, preds: Exits, target: str) -> None:
        for source, label in preds:
            if self.g.has_edge(source, target):
                old = self.g.edges[source, target]["label"]
                label = "/".join(x for x in (old, label) if x)
            self.g.add_edge(source, target, label=label)

    def region(self, fn: n.Function, parent: str | None, title: str) -> tuple[str, str]:
        saved, self.finals = self.finals, []  # a nested function's jumps never leave it
        try:
            return self._region(fn, parent, title)
        finally:
            self.finals = saved

    def _region(self, fn: n.Function, parent: str | None, title: str) -> tuple[str, str]:
        outer = _Region("", parent)
        start = self.add("start", title, fn.span, outer)
        end_id = f"n{self.counter}"
        self.counter += 1
        inner = _Region(end_id, parent)
        exits = self.block(fn.body, [(start, "")], inner, None)
        self.g.add_node(end_id, kind="end", name="end", span=fn.span, parent=parent)
        self.link(exits, end_id)
        return start, end_id

    def block(self, body: tuple[n.Stmt, ...], preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        i = 0
        while i < len(body):
            j = i
            while j < len(body) and isinstance(body[j], PLAIN):
                j += 1
            if j > i:
                preds = self.code(body[i:j], preds, region)
                i = j
                continue
            preds = self.stmt(body[i], preds, region, loop)
            i += 1
        return preds

    def code(self, stmts: tuple[n.Stmt, ...], preds: Exits, region: _Region) -> Exits:
        lines = [_code_of(s) for s in stmts]
        span = Span(stmts[0].span.line, stmts[0].span.column, stmts[-1].span.end_line, stmts[-1].span.end_column)
        node = self.add("code", lines[0] if len(lines) == 1 else f"{lines[0]} (+{len(lines) - 1})", span, region,
                        code="\n".join(lines))
        self.link(preds, node)
        return [(node, "")]

    def stmt(self, s: n.Stmt, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        method = getattr(self, f"s_{type(s).__name__.lower()}")
        result: Exits = method(s, preds, region, loop)
        return result

    # control constructs -------------------------------------------------------------------------------
    def s_if(self, s: n.If, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("if", f"{'elif' if s.elif_ else 'if'} {s.test.code}", s.span, region, code=s.test.code)
        self.link(preds, node)
        exits = self.block(s.body, [(node, "true")], region, loop)
        return exits + (self.block(s.orelse, [(node, "false")], region, loop) if s.orelse else [(node, "false")])

    def s_for(self, s: n.For, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("for", f"for {s.target.code} in {s.iter.code}", s.span, region, code=s.iter.code)
        return self._loop(node, s.body, s.orelse, preds, region, ("each", "done"))

    def s_while(self, s: n.While, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("while", f"while {s.test.code}", s.span, region, code=s.test.code)
        return self._loop(node, s.body, s.orelse, preds, region, ("true", "false"))

    def _loop(self, node: str, body: tuple[n.Stmt, ...], orelse: tuple[n.Stmt, ...], preds: Exits,
              region: _Region, labels: tuple[str, str]) -> Exits:
        self.link(preds, node)
        inner = _Loop(node, len(self.finals))
        back = self.block(body, [(node, labels[0])], region, inner)
        self.link([(src, lbl or "loop") for src, lbl in back], node)
        done = self.block(orelse, [(node, labels[1])], region, None) if orelse else [(node, labels[1])]
        return done + inner.breaks

    def _through_finally(self, node: str, label: str, floor: int) -> _Final | None:
        """Route a jump through the innermost `finally` above `floor`, if there is one."""
        if len(self.finals) <= floor:
            return None
        final = self.finals[-1]
        self.link([(node, label)], final.node)
        return final

    def s_break(self, s: n.Break, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("break", "break", s.span, region)
        self.link(preds, node)
        if loop is not None:
            final = self._through_finally(node, "break", loop.finals)
            if final is None:
                loop.breaks.append((node, "break"))
            else:
                final.breaks.append(loop)
        return []

    def s_continue(self, s: n.Continue, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("continue", "continue", s.span, region)
        self.link(preds, node)
        if loop is not None:
            final = self._through_finally(node, "continue", loop.finals)
            if final is None:
                self.link([(node, "continue")], loop.head)
            else:
                final.jumps.append(("continue", loop.head))
        return []

    def s_return(self, s: n.Return, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("return", f"return {s.value.code}" if s.value else "return", s.span, region,
                        code=s.value.code if s.value else "")
        self.link(preds, node)
        final = self._through_finally(node, "return", 0)
        if final is None:
            self.link([(node, "")], region.end)
        else:
            final.jumps.append(("return", region.end))
        return []

    def s_raise(self, s: n.Raise, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("raise", f"raise {s.exc.code}" if s.exc else "raise", s.span, region,
                        code=s.exc.code if s.exc else "")
        self.link(preds, node)
        return []

    def s_try(self, s: n.Try, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("try", "try", s.span, region)
        self.link(preds, node)
        final = _Final(self.add("finally", "finally", s.finalbody[0].span, region)) if s.finalbody else None
        if final is not None:
            self.finals.append(final)
        exits = self._guarded(s, node, region, loop)
        if final is None:
            return exits
        self.finals.pop()
        self.link(exits or [(node, "raises")], final.node)
        after = self.block(s.finalbody, [(final.node, "")], region, loop)
        for label, target in final.jumps:
            self.link([(src, label) for src, _ in after], target)
        for left in final.breaks:
            left.breaks.extend((src, "break") for src, _ in after)
        return after

    def _guarded(self, s: n.Try, node: str, region: _Region, loop: _Loop | None) -> Exits:
        """The try body, its else block and its handlers; their exits lead to the finally block."""
        exits = self.block(s.body, [(node, "")], region, loop)
        exits = self.block(s.orelse, exits, region, loop) if s.orelse else exits
        for h in s.handlers:
            title = f"except {h.type.code}" if h.type else "except"
            handler = self.add("except", title + (f" as {h.name}" if h.name else ""), h.span, region,
                               code=h.type.code if h.type else "")
            self.link([(node, "raises")], handler)
            exits += self.block(h.body, [(handler, "")], region, loop)
        return exits

    def s_match(self, s: n.Match, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("match", f"match {s.subject.code}", s.span, region, code=s.subject.code)
        self.link(preds, node)
        exits: Exits = []
        for case in s.cases:
            label = f"case {case.pattern}" + (f" if {case.guard.code}" if case.guard else "")
            exits += self.block(case.body, [(node, label)], region, loop)
        if not any(c.pattern == "_" and c.guard is None for c in s.cases):
            exits.append((node, "no match"))
        return exits

    def s_desugared(self, s: n.Desugared, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        self.temporaries[s.target.id] = f"«{s.construct}»"
        return self.block(s.body, preds, region, loop)

    def s_with(self, s: n.With, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        node = self.add("with", s.code, s.span, region, code=s.code)
        self.link(preds, node)
        return self.block(s.body, [(node, "")], region, loop)

    def s_helpercall(self, s: n.HelperCall, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        name = s.function.rsplit(".", 1)[-1]
        node = self.add("call", name, s.span, region, code=s.call.code)
        self.link(preds, node)
        if s.region is None:
            return [(node, "")]
        join = self.add("join", f"end {name}", s.span, region)
        start, end = self.region(s.region, node, name)
        self.link([(node, "")], start)
        self.link([(end, "")], join)
        return [(join, "")]

    # durable operations -------------------------------------------------------------------------------
    def s_operation(self, op: n.Operation, preds: Exits, region: _Region, loop: _Loop | None) -> Exits:
        if isinstance(op.target, e.Name) and TEMPORARY.fullmatch(op.target.id):
            self.temporaries[op.target.id] = "«" + op.label.removeprefix("f").strip("\"'") + "»"
        node = self.add(op.kind.value, op.label, op.span, region, node_id=op.id, op=op)
        self.link(preds, node)
        callables = ([op.callee] if op.callee else []) + list(op.branches)
        nested = [(c, c.region) for c in callables if c.region is not None]
        if not nested:
            return [(node, "")]
        join = self.add("join", f"end {op.label}", op.span, region)
        for index, (callable_, fn) in enumerate(nested):
            title = _region_title(op, callable_.name, index)
            start, end = self.region(fn, op.id, title)
            self.link([(node, title if op.kind is n.OpKind.PARALLEL else "")], start)
            self.link([(end, "")], join)
        return [(join, "")]


def _region_title(op: n.Operation, name: str | None, index: int) -> str:
    if op.kind is n.OpKind.PARALLEL:
        return name or f"parallel-branch-{index}"
    if op.kind is n.OpKind.MAP:
        return "each item"
    return op.label


def _code_of(stmt: n.Stmt) -> str:
    if isinstance(stmt, n.Assign):
        return " = ".join([*(t.code for t in stmt.targets), stmt.value.code])
    if isinstance(stmt, n.AugAssign):
        return f"{stmt.target.code} {stmt.op}= {stmt.value.code}"
    if isinstance(stmt, n.ExprStmt):
        return stmt.value.code
    if isinstance(stmt, n.OpaqueStmt):
        return stmt.code
    if isinstance(stmt, n.LocalDef):
        return f"def {stmt.qualname.rsplit('.', 1)[-1]}(...)"
    return "pass"


def build_graph(handler: n.Handler) -> nx.DiGraph:
    """The operation graph of one handler."""
    builder = GraphBuilder()
    builder.g.graph.update(handler=handler.name, file=handler.path, operations=handler.operations)
    builder.region(handler.function, None, handler.name)
    return builder.g
