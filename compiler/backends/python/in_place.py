"""Durable calls Python may not reach, put back where they were written (the Python backend).

Takes the statements the lowering hoisted out of the right of `and`/`or` or an arm of `x if t else y` (a
`Desugared` "conditional operation"), and the region's edits; changes the edits so that the hoisted
temporary of each reads the call itself, tagged (`_dc.at(LINE, ctx)`): the call then runs only when
Python gets to it, as in the handler. An operation's orchestration lambdas are lifted to defs written
before the statement (defining them runs nothing); a comprehension is written as it stands, every
durable call in it (lambdas included) tagged in place, so it stays Python's own comprehension.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from durable_compile.backends.python.comprehensions import is_temp
from durable_compile.backends.python.text import Edit
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.python.statements import Statements


def restore(sts: Statements, body: tuple[n.Stmt, ...], edits: list[Edit]) -> None:
    for stmt in body:
        if isinstance(stmt, n.Desugared) and stmt.construct == "conditional operation":
            restore(sts, stmt.body, edits)
            continue
        start, end = sts.st.bounds(stmt.span)
        if isinstance(stmt, n.Operation) and is_temp(stmt.target):
            text = sts.call_text(stmt, edits)
        elif isinstance(stmt, n.HelperCall) and is_temp(stmt.target):
            text = sts.st.slice(stmt.span, [e for e in edits if (e.start, e.end) != (start, end)])
        elif isinstance(stmt, n.Desugared):  # a comprehension: as written, every durable call in it tagged
            tags = [sts.receiver(op) for op in n.walk(stmt.body) if isinstance(op, n.Operation)
                    and start <= sts.st.bounds(op.span)[0] < end]
            text = sts.st.slice(stmt.span, [*tags, *(e for e in edits if not (start <= e.start and e.end <= end))])
        else:
            from durable_compile.backends.python.statements import EmitError  # it imports this module
            raise EmitError(stmt.span, "the Python backend cannot keep this construct in the `and`/`or` or "
                                       "conditional expression around it: assign it in an if statement first")
        bounds = sts.st.bounds(stmt.span)
        edits[:] = [Edit(e.start, e.end, text) if (e.start, e.end) == bounds else e for e in edits]
