"""Statements: one orchestration region's IR -> Python lines, with every durable call tagged.

Takes a lowered `Function` and writes its body through a `Writer`. Control statements are rebuilt from
the IR (so hoisted durable calls land before the statement that used them, in evaluation order, and a
`while` whose test calls the context becomes `while True` with the test first); the expressions and
simple statements themselves are the user's own text, with hoisted calls replaced by their temporaries.
Each durable call becomes `_dc.at(LINE, ctx).method(...)`; an orchestration lambda (a branch, a map
function, a child context) becomes a local def written just before the call, so its calls are tagged too.
"""

from __future__ import annotations

import re
from collections.abc import Callable as Fn
from dataclasses import dataclass, field
from itertools import count

from durable_compile.backends.python import comprehensions, in_place
from durable_compile.backends.python.comprehensions import (
    comprehension_init,
    comprehension_loop,
    is_temp,
    synthesized,
)
from durable_compile.backends.python.jinja import render
from durable_compile.backends.python.layout import ModuleLayout
from durable_compile.backends.python.text import Edit, SourceText
from durable_compile.backends.python.writer import Writer
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span

RETURN = re.compile(r"return\b")


class EmitError(Exception):
    """A construct the Python backend cannot reproduce exactly."""

    def __init__(self, span: Span, message: str) -> None:
        super().__init__(message)
        self.span = span


def hoisted(body: tuple[n.Stmt, ...]) -> list[tuple[Span, str]]:
    """(span written, temporary) of every value the lowering hoisted out of this region's expressions:
    durable calls, helper calls and comprehensions that run operations (lifted lambdas included)."""
    found: list[tuple[Span, str]] = []
    for stmt in body:
        if isinstance(stmt, n.Operation | n.HelperCall) and is_temp(stmt.target):
            found.append((stmt.span, stmt.target.id))  # type: ignore[union-attr]
        init = comprehension_init(stmt)
        if init is not None:
            found.append((stmt.span, init))
        if isinstance(stmt, n.Operation):
            for c in callables(stmt):
                if c.form is n.CallableForm.LAMBDA and c.region is not None:
                    found.extend(hoisted(c.region.body))
        for block in n.blocks(stmt):
            found.extend(hoisted(block))
    return found


def callables(op: n.Operation) -> list[n.Callable]:
    return ([op.callee] if op.callee else []) + list(op.branches)


def liftable(c: n.Callable) -> bool:
    """An orchestration lambda that can become a def with the same meaning (plain positional params)."""
    if c.form is not n.CallableForm.LAMBDA or c.region is None or c.lam is None:
        return False
    params = c.lam.code.removeprefix("lambda").split(":", 1)[0]
    return "=" not in params and "*" not in params


@dataclass
class Statements:
    """Writes the bodies of orchestration regions."""

    st: SourceText  #: the original text
    layout: ModuleLayout  #: defs and import edits of the original module
    regions: dict[str, n.Function]  #: orchestration defs to regenerate, by qualname
    w: Writer  #: where the lines go
    lifted: count[int] = field(default_factory=lambda: count(1))  #: numbering of lifted lambdas
    led: set[int] = field(default_factory=set)  #: source lines whose leading comments are written
    yielding: set[str] = field(default_factory=set)  #: temporaries of generator expressions (`yield`)

    # regions ------------------------------------------------------------------------------------------
    def body(self, fn: n.Function) -> None:
        edits = self.layout.edits + self.hoist_edits(fn.body)
        with self.w.nested():
            self.block(fn.body, edits)

    def hoist_edits(self, body: tuple[n.Stmt, ...]) -> list[Edit]:
        """Each hoisted durable call is replaced by its temporary wherever it was written."""
        edits: dict[tuple[int, int], str] = {}
        for span, temp in hoisted(body):
            edits.setdefault(self.st.bounds(span), temp)
        return [Edit(a, b, text) for (a, b), text in edits.items()]

    def block(self, body: tuple[n.Stmt, ...], edits: list[Edit]) -> None:
        if not body:
            self.w.write("pass")
            return
        index = 0
        while index < len(body):
            stmt = body[index]
            handler = HANDLERS.get(type(stmt))
            if handler is None:
                raise EmitError(stmt.span, f"the Python backend cannot rebuild a {type(stmt).__name__} statement")
            self.leading(stmt.span, first=index == 0)
            loop = comprehension_loop(body, index)
            if loop is not None:
                self.comprehension(body[index:loop + 1], edits)
                index = loop + 1
                continue
            handler(self, stmt, edits)
            index += 1

    def comprehension(self, group: tuple[n.Stmt, ...], edits: list[Edit], form: str = "list") -> None:
        """A comprehension that runs operations: its loop in a local function, as Python runs a comprehension
        (the loop variable stays private); the outermost iterable is evaluated outside, first, as in Python.
        A generator expression becomes a generator function (its operations run as it is consumed, one
        element at a time, as in Python), a set comprehension builds a set."""
        init, *iterable, loop = group
        temp, line = comprehension_init(init) or "", init.span.line
        for stmt in iterable:
            HANDLERS[type(stmt)](self, stmt, edits)
        assert isinstance(loop, n.For)
        if form == "set":
            init = n.Assign(init.span, (init.targets[0],), ir.Call("set()", init.span, ir.Name("set", init.span, "set"),
                                                                    (), (), None))  # type: ignore[attr-defined]
            loop = comprehensions.as_set(loop, temp)
        name = f"_dc_comp{next(self.lifted)}"
        self.w.write(f"def {name}(_dc_iter):", line)
        with self.w.nested():
            if form == "generator":
                self.yielding.add(temp)
                self.loop(f"for {self.expr(loop.target, edits)} in _dc_iter:", comprehensions.as_generator(loop, temp),
                          edits)
            else:
                self.simple(init, edits)
                self.loop(f"for {self.expr(loop.target, edits)} in _dc_iter:", loop, edits)
                self.w.write(f"return {temp}", line)
        outer = self.expr(loop.iter, edits)
        self.w.write(f"{temp} = {name}(iter({outer}))" if form == "generator" else f"{temp} = {name}({outer})", line)

    def leading(self, span: Span, first: bool) -> None:
        """The comment lines right above a statement, and the blank line before them, once each."""
        if span.line in self.led or span.line <= 0:
            return
        self.led.add(span.line)
        if self.st.blank_above(span.line) and not first:
            self.w.blank()
        for number in self.st.comments_above(span.line):
            if number not in self.led:
                self.led.add(number)
                self.w.write(self.st.line(number).strip(), number)

    # expressions ----------------------------------------------------------------------------------------
    def expr(self, expr: ir.Expr, edits: list[Edit]) -> str:
        """The text of an expression as written, with the edits inside it applied."""
        if is_temp(expr) and isinstance(expr, ir.Name):
            return expr.id
        if isinstance(expr, ir.Const):
            return expr.code
        if isinstance(expr, ir.UnaryOp) and expr.op == "not" and expr.operand.span == expr.span:
            inner = self.expr(expr.operand, edits)  # the test of a rewritten `while`
            return f"not {inner}" if parenthesized(inner) else f"not ({inner})"
        start, end = self.st.bounds(expr.span)
        if not any(start <= e.start and e.end <= end for e in edits):
            return expr.code
        raw, text = self.st.text[start:end], self.st.slice(expr.span, edits)
        at = expr.code.find(raw)  # the node's own parentheses are outside its span
        return expr.code[:at] + text + expr.code[at + len(raw):] if at >= 0 else text

    # simple statements ----------------------------------------------------------------------------------
    def desugared(self, stmt: n.Desugared, edits: list[Edit]) -> None:
        """A rewritten comprehension: its loop statements are made up by the lowering (see `synthesized`).
        An operation Python may not reach (`a or ctx.step(...)`) stays in its expression instead, tagged."""
        if stmt.construct == "conditional operation":
            in_place.restore(self, stmt.body, edits)
        elif stmt.form and comprehension_loop(stmt.body, 0) == len(stmt.body) - 1:
            self.leading(stmt.span, first=True)
            self.comprehension(stmt.body, edits, stmt.form)
        else:
            self.block(stmt.body, edits)

    def simple(self, stmt: n.Stmt, edits: list[Edit]) -> None:
        element = comprehensions.yielded(stmt, self.yielding)
        if element is not None:
            self.w.write(f"yield {self.expr(element, edits)}", stmt.span.line)
            return
        made_up = synthesized(stmt, lambda e: self.expr(e, edits))
        if made_up is not None:
            self.w.write(made_up, stmt.span.line)
            return
        text = self.st.slice(stmt.span, edits)
        if isinstance(stmt, n.Return) and not RETURN.match(text):  # the body of a lifted lambda
            text = "return " + self.expr(stmt.value, edits) if stmt.value is not None else "return"
        elif isinstance(stmt, n.OpaqueStmt):
            text = self.reindent(text, stmt.span.column - 1)
        self.w.write(text + self.trailing(stmt.span), stmt.span.line, verbatim=True, last=stmt.span.end_line)

    def keyword(self, stmt: n.Stmt, edits: list[Edit]) -> None:
        word = {n.Break: "break", n.Continue: "continue", n.Pass: "pass"}[type(stmt)]
        self.w.write(word, stmt.span.line)

    def trailing(self, span: Span) -> str:
        comment = self.st.trailing_comment(span)
        return f"  {comment}" if comment else ""

    def reindent(self, text: str, column: int) -> str:
        """Shift the continuation lines of a compound statement to the current indentation."""
        target = len(self.w.indent)
        if column == target or "\n" not in text:
            return text
        first, *rest = text.split("\n")
        return "\n".join([first, *(shift(line, column, target) for line in rest)])

    # durable operations ---------------------------------------------------------------------------------
    def operation(self, op: n.Operation, edits: list[Edit]) -> None:
        call = self.call_text(op, edits)
        target = None if op.target is None else self.expr(op.target, edits)
        text = render("operation.py.j2", target=target, call=call)
        suffix = "" if is_temp(op.target) else self.trailing(op.span)
        self.w.write(text + suffix, op.span.line, verbatim=True, last=op.span.end_line)

    def call_text(self, op: n.Operation, edits: list[Edit]) -> str:
        """The durable call as written, tagged, its orchestration lambdas lifted to defs (written here)."""
        local = list(edits)
        for c in callables(op):
            if liftable(c) and c.lam is not None and c.region is not None:
                name = f"_dc_fn{next(self.lifted)}"
                self.lift(c.region, name, c.lam.span, edits)
                start, end = self.st.bounds(c.lam.span)
                local.append(Edit(start, end, name))
        local.append(self.receiver(op))
        own = self.st.bounds(op.span)
        return self.st.slice(op.span, [e for e in local if (e.start, e.end) != own])

    def helper_call(self, call: n.HelperCall, edits: list[Edit]) -> None:
        """A project function given the context: called as written (its own body is rebuilt as a region)."""
        own = self.st.bounds(call.span)
        text = self.st.slice(call.span, [e for e in edits if (e.start, e.end) != own])
        target = None if call.target is None else self.expr(call.target, edits)
        suffix = "" if is_temp(call.target) else self.trailing(call.span)
        line = render("operation.py.j2", target=target, call=text)
        self.w.write(line + suffix, call.span.line, verbatim=True, last=call.span.end_line)

    def receiver(self, op: n.Operation) -> Edit:
        """`ctx.step(...)` -> `_dc.at(LINE, ctx).step(...)`: the call carries its source line."""
        if op.kind is n.OpKind.CALLBACK_RESULT:
            owner = op.operands[0].value
            start, end = self.st.bounds(owner.span)
            return Edit(start, end, f"_dc.at({op.span.line}, {owner.code})")
        start, _ = self.st.bounds(op.span)
        if not self.st.text.startswith(op.context, start):
            raise EmitError(op.span, f"cannot find the context `{op.context}` of this durable call")
        return Edit(start, start + len(op.context), f"_dc.at({op.span.line}, {op.context})")

    def lift(self, fn: n.Function, name: str, span: Span, edits: list[Edit]) -> None:
        for line in render("region.py.j2", name=name, params=fn.params, line=span.line).split("\n"):
            self.w.write(line, span.line)
        with self.w.nested():
            self.block(fn.body, edits)

    # compound statements --------------------------------------------------------------------------------
    def if_(self, stmt: n.If, edits: list[Edit], keyword: str = "if") -> None:
        self.w.write(f"{keyword} {self.expr(stmt.test, edits)}:", stmt.span.line)
        with self.w.nested():
            self.block(stmt.body, edits)
        orelse = stmt.orelse
        if len(orelse) == 1 and isinstance(orelse[0], n.If) and orelse[0].elif_:
            self.leading(orelse[0].span, first=True)
            self.if_(orelse[0], edits, "elif")
        elif orelse:
            self.else_("else", orelse, edits)

    def else_(self, keyword: str, body: tuple[n.Stmt, ...], edits: list[Edit]) -> None:
        self.w.write(f"{keyword}:", body[0].span.line if body else 0)
        with self.w.nested():
            self.block(body, edits)

    def for_(self, stmt: n.For, edits: list[Edit]) -> None:
        header = f"for {self.expr(stmt.target, edits)} in {self.expr(stmt.iter, edits)}:"
        self.loop(header, stmt, edits)

    def while_(self, stmt: n.While, edits: list[Edit]) -> None:
        self.loop(f"while {self.expr(stmt.test, edits)}:", stmt, edits)

    def loop(self, header: str, stmt: n.For | n.While, edits: list[Edit]) -> None:
        self.w.write(header, stmt.span.line)
        with self.w.nested():
            self.block(stmt.body, edits)
        if stmt.orelse:
            self.else_("else", stmt.orelse, edits)

    def try_(self, stmt: n.Try, edits: list[Edit]) -> None:
        self.w.write("try:", stmt.span.line)
        with self.w.nested():
            self.block(stmt.body, edits)
        for handler in stmt.handlers:
            clause = "except" if handler.type is None else f"except {self.expr(handler.type, edits)}"
            clause += f" as {handler.name}:" if handler.name else ":"
            self.leading(handler.span, first=True)
            self.w.write(clause, handler.span.line)
            with self.w.nested():
                self.block(handler.body, edits)
        if stmt.orelse:
            self.else_("else", stmt.orelse, edits)
        if stmt.finalbody:
            self.else_("finally", stmt.finalbody, edits)

    def match(self, stmt: n.Match, edits: list[Edit]) -> None:
        self.w.write(f"match {self.expr(stmt.subject, edits)}:", stmt.span.line)
        with self.w.nested():
            for case in stmt.cases:
                guard = f" if {self.expr(case.guard, edits)}" if case.guard is not None else ""
                self.leading(case.span, first=True)
                self.w.write(f"case {case.pattern}{guard}:", case.span.line)
                with self.w.nested():
                    self.block(case.body, edits)

    def with_(self, stmt: n.With, edits: list[Edit]) -> None:
        header = stmt.code
        start, end = self.st.bounds(stmt.span)
        for edit in edits:
            if start <= edit.start and edit.end <= end and edit.text.startswith("_dc_t"):
                header = header.replace(self.st.text[edit.start:edit.end], edit.text, 1)
        self.w.write(header, stmt.span.line)
        with self.w.nested():
            self.block(stmt.body, edits)

    def local_def(self, stmt: n.LocalDef, edits: list[Edit]) -> None:
        layout = self.layout.defs.get(stmt.qualname)
        if layout is None:
            raise EmitError(stmt.span, f"cannot find the nested def {stmt.qualname}")
        fn = self.regions.get(stmt.qualname)
        if fn is None:
            self.lines(layout.first_line, layout.end_line, layout.column)
            return
        self.lines(layout.first_line, layout.header_end, layout.column)
        self.body(fn)

    def lines(self, first: int, last: int, column: int) -> None:
        """Source lines [first, last] as they are (SDK imports redirected), at the current indentation."""
        text = self.st.lines_text(first, last, self.layout.edits)
        target = len(self.w.indent)
        for offset, line in enumerate(text.split("\n")):
            self.w.raw(shift(line, column, target), first + offset)


def parenthesized(text: str) -> bool:
    """True when `text` is one parenthesised group: `(a < b)`, not `(a) < (b)`."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def shift(line: str, column: int, target: int) -> str:
    """Move a line from indentation `column` to `target` when it has at least `column` leading spaces."""
    if line[:column].strip():
        return line
    return " " * target + line[column:] if line.strip() else ""


HANDLERS: dict[type, Fn[[Statements, n.Stmt, list[Edit]], None]] = {
    n.Operation: Statements.operation, n.HelperCall: Statements.helper_call,  # type: ignore[dict-item]
    n.Assign: Statements.simple, n.AugAssign: Statements.simple, n.ExprStmt: Statements.simple,
    n.Return: Statements.simple, n.Raise: Statements.simple, n.OpaqueStmt: Statements.simple,
    n.Break: Statements.keyword, n.Continue: Statements.keyword, n.Pass: Statements.keyword,
    n.If: Statements.if_, n.For: Statements.for_, n.While: Statements.while_,  # type: ignore[dict-item]
    n.Try: Statements.try_, n.With: Statements.with_, n.Match: Statements.match,  # type: ignore[dict-item]
    n.LocalDef: Statements.local_def, n.Desugared: Statements.desugared,  # type: ignore[dict-item]
}
