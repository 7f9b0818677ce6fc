"""`return`: the execution's output.

At the handler's own level a return is a Succeed state whose Output is the value in JSONata; a value with
no faithful JSONata form (or one whose Python error an `except` must see) is computed by a task of the
steps function that ends in that Succeed. Inside an inlined child context or helper the innermost of
`em.returns` decides where the value goes; a return that leaves try/finally blocks runs them first
(emit_finally).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from durable_compile.backends.asl import emit_compute, emit_finally
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter


def return_(em: Emitter, stmt: n.Return) -> str:
    """The first state of `stmt`."""
    if em.returns:  # inside an inlined child context or helper
        return em.returns[-1](stmt)
    through = emit_finally.return_(em, stmt)
    if through is not None:
        return through
    if stmt.value is None:
        return em.put(em.namer.name(f"Return-line-{stmt.span.line}"), {"Type": "Succeed", "Output": "{% null %}"},
                      stmt.span, "return")
    value = em.value(stmt.value, output=stmt)
    name = em.namer.name(f"Return-line-{stmt.span.line}")
    if value is not None:
        return em.put(name, {"Type": "Succeed", "Output": value}, stmt.span, "return")
    result = em.fresh("result")
    em.put(name, {"Type": "Succeed", "Output": f"{{% ${result} %}}"}, stmt.span, "return")
    return emit_compute.compute(em, [f"{result} = {stmt.value.code}"], stmt.span, name, [result],
                                "computation", ends=True)
