"""Lifted computations: orchestration code with no faithful JSONata translation runs in the steps
function as a Task of its own (the `compute` entries of the steps handler), reading and writing workflow
variables through its payload and result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from durable_compile.backends.asl import emit_try, float_scope, nested_defs, tuple_shapes
from durable_compile.backends.asl.compute_changes import may_change
from durable_compile.backends.asl.emit_support import Escape, Lifted, describe, jsonata_name
from durable_compile.backends.asl.module_facts import loaded_names, task_state
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter


def compute(em: Emitter, lines: list[str], span: Span, nxt: str, writes: list[str], what: str,
            also_read: Iterable[str] = (), ends: bool = False) -> str:
    """A Task of the steps function that runs `lines` and gives back what they write and the plain values
    they read (caught errors and BatchResults are read-only objects), `also_read` too (what the lines may
    leave as it was); with `ends` (the value of a return that ends the scope) only what they write:
    nothing reads the others again, and in a batch branch they may be outer variables, which the branch
    cannot assign. In a batch branch, an outer variable the lines cannot change (compute_changes.py) is
    not given back either. Reported as DUR821 (DUR822 with --strict)."""
    em.report("DUR822" if em.strict else "DUR821", span,
               f"{' '.join(lines)[:80]!r} has no JSONata translation; it runs in the steps function")
    defs, def_reads = nested_defs.called_defs(em, "\n".join(lines), span)  # the nested defs it calls
    reads = sorted((loaded_names(lines) | def_reads | set(also_read)) & em.locals)
    key = f"compute{next(em.counter)}"
    errors = tuple(r for r in reads if r in em.errors)
    batches = tuple(r for r in reads if r in em.batches or r in em.batch_lists)
    changed = may_change(lines) if em.branch is not None else None
    unchanged = set() if changed is None else {r for r in reads if jsonata_name(r) not in em.scope} - changed
    back = sorted((set(writes) | (set() if ends else set(reads) - unchanged)) - set(errors) - set(batches))
    given = {w: f"_plain({w})" if w in em.batch_lists else w for w in back}  # a BatchResult's list as JSON
    body = (*defs, *lines, "return {" + ", ".join(f"{w!r}: {v}" for w, v in given.items()) + "}")
    escape = emit_try.escape(em, "compute")  # inside a child context nothing catches
    em.out.lifted.append(Lifted(key, "compute", tuple(reads), body, span.line, errors, batches,
                               None if escape is None else Escape(escape), floats=float_scope.restored(em, reads),
                               tuples=tuple_shapes.restored(em, reads)))
    state = task_state(key, reads)
    state["Assign"] = {jsonata_name(w): f"{{% $states.result.Payload.{w} %}}" for w in back}
    state["Next"] = nxt
    catch = emit_try.catchers(em, "compute", escape is not None)
    if catch:
        state["Catch"] = catch
    label = describe(" ".join(w for w in writes if not w.startswith("_"))) or f"line-{span.line}"
    return em.put(em.namer.name(f"Compute-{label}"), state, span, what)
