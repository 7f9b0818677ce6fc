"""Functions that receive the durable context (helpers, child contexts) and return the BatchResult of a
`parallel`/`map`.

Takes the lowered handler; gives which helper calls' and child contexts' targets hold a BatchResult
(`b = fan(context, xs)`, the temporary of `fan(context, xs).get_results()`, `b = context.run_in_child_context
(lambda c: c.map(...))`), so that the caller reads them as one, and the
value a helper's `return` hands its caller: the variable that holds the batch, as it is (the machine keeps
a BatchResult as the JSON of its fields, which the caller's reads translate). A helper that returns a
BatchResult on some paths and another value (or None, by falling off its end) on others is DUR820:
the caller's reads could not know which it holds. Reads code, never runs it.
"""

from __future__ import annotations

from durable_compile.backends.asl.emit_support import jsonata_name
from durable_compile.backends.asl.helper_facts import own_statements
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

BATCH_KINDS = (n.OpKind.PARALLEL, n.OpKind.MAP)


def returns(region: n.Function, batches: set[str]) -> set[bool]:
    """For each way out of the helper's own code, whether it returns one of `batches` (False also for
    falling off its end, which returns None)."""
    found = {isinstance(s.value, ir.Name) and s.value.id in batches
             for s in own_statements(region.body) if isinstance(s, n.Return)}
    if not region.body or not isinstance(region.body[-1], n.Return | n.Raise):
        found.add(False)
    return found


def is_call(stmt: n.Stmt) -> bool:
    """A helper call or a child context: code of the handler's whose `return` gives the target its value."""
    return isinstance(stmt, n.HelperCall) or isinstance(stmt, n.Operation) and stmt.kind is n.OpKind.CHILD_CONTEXT


def region(stmt: n.Stmt) -> n.Function | None:
    if isinstance(stmt, n.HelperCall):
        return stmt.region
    return stmt.callee.region if isinstance(stmt, n.Operation) and stmt.callee is not None else None


def helper_batches(fn: n.Function, held: set[str]) -> set[str]:
    """The names that helper calls and child contexts assign a BatchResult to, given `held`, the names only
    batches assign (nested ones too, so that `return inner(ctx)` is seen through)."""
    calls = [(s.target.id, region(s)) for s in n.walk(fn.body)  # type: ignore[attr-defined]
             if is_call(s) and isinstance(getattr(s, "target", None), ir.Name)]
    found: set[str] = set()
    for _ in range(len(calls) + 1):  # until nothing changes: a helper may return another helper's batch
        now = {target for target, body in calls if body is not None and returns(body, held | found) == {True}}
        if now == found:
            break
        found = now
    return found


def refusal(region: n.Function, batches: set[str], target: ir.Expr | None, name: str) -> str | None:
    """Why the call of helper `name` cannot be compiled with its BatchResult, if it cannot."""
    kinds = returns(region, batches)
    if True not in kinds:
        return None
    if False in kinds:
        return (f"{name} returns a BatchResult on some paths and another value (or None) on others: the "
                "state machine keeps a BatchResult as data and must know where a variable holds one; "
                "return the batch on every path, or read what you need from it inside the function")
    if target is not None and not (isinstance(target, ir.Name) and target.id in batches):
        return (f"{name} returns a BatchResult, and {target.code!r} holds other values too (or is not a plain "
                "name): keep the batch in a variable of its own")
    return None


def returned(batches: set[str], value: ir.Expr | None) -> str | None:
    """`return b` of a BatchResult inside an inlined function: the variable as it is, or None."""
    if isinstance(value, ir.Name) and value.id in batches:
        return "{% $" + jsonata_name(value.id) + " %}"
    return None
