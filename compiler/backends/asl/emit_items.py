"""A batch's `item_serdes` (ParallelConfig, MapConfig): each branch's result passes through it inside the
branch, as the SDK's branch child context passes it, and its failure is that branch's error.

Takes a `parallel`/`map` whose config names a custom item_serdes (one other than JsonSerDes and
ExtendedTypeSerDes, which change no JSON value); gives its branch scopes ending in a task of the steps
function that round-trips the branch's result (`deserialize(serialize(value))`, emit_serdes.roundtrip)
where they would end with it: the Succeed of each way the branch returns becomes that task, whose Output
is the success entry of what the serdes gave. A failing serdes fails the task with SerDesError, which
its Catch turns into the branch's error entry (ErrorType `SerDesError`): the batch counts that branch as
failed, as the runtime does, and `throw_if_error()` raises SerDesError for it where the first failed
branch's error is one (`throw_class`), ChildContextError otherwise. A batch with a custom item_serdes
never fails as a state by itself (emit_batch.direct): its result is folded as any other's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_serdes
from durable_compile.backends.asl.batch import failed_entry
from durable_compile.backends.asl.emit_support import Lifted
from durable_compile.backends.asl.emit_try import MESSAGE
from durable_compile.backends.asl.module_facts import task_state
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: the steps function's local that holds a branch's result
VALUE = "_item"
#: the config fields that name a serdes
SERDES_KEYS = frozenset({"serdes", "item_serdes", "serdes_payload", "serdes_result"})
SUCCEEDED = "{% {'status': 'SUCCEEDED', 'result': $states.result.Payload, 'error': null} %}"


def custom(op: n.Operation) -> bool:
    """Whether the batch's config names an item_serdes that changes JSON values."""
    serdes = (op.settings or {}).get("item_serdes")
    return isinstance(serdes, dict) and serdes.get("type") not in emit_serdes.IDENTITY


def item_serdes(em: Emitter, op: n.Operation) -> str | None:
    """The Python of the batch's custom item_serdes, its round trip lifted into the steps function; None
    without one."""
    code = emit_serdes.serdes_code(em, op, "item_serdes")
    if code is not None and all(f.key != _key(op) for f in em.out.lifted):  # a finally block copies the batch
        body = (f"return {emit_serdes.roundtrip(code, VALUE, op)}",)
        em.out.lifted.append(Lifted(_key(op), "compute", (VALUE,), body, op.span.line, serdes=True))
    return code


def round_trip_results(op: n.Operation, states: dict[str, dict[str, Any]], failed: Callable[[], str]) -> None:
    """Each Succeed of a branch scope (a way it returns, its value the Output) becomes the task that
    round-trips that value, ending the branch with its success entry or, when the serdes fails, going to
    the branch's `failed` state with its SerDesError entry (in place)."""
    for name, state in list(states.items()):
        if state["Type"] != "Succeed":
            continue
        task = task_state(_key(op), [])
        task["Arguments"]["Payload"]["vars"] = {VALUE: state.get("Output", "{% $states.input %}")}
        error = failed_entry(MESSAGE[3:-3], emit_serdes.RECORDED)
        states[name] = {"Type": "Task", **({"Comment": state["Comment"]} if "Comment" in state else {}),
                        **{k: v for k, v in task.items() if k != "Type"}, "Output": SUCCEEDED, "End": True,
                        "Catch": [{"ErrorEquals": [emit_serdes.ERROR], "Output": error, "Next": failed()}]}


def throw_class(em: Emitter) -> bool:
    """Whether a BatchResult of this handler may hold a branch's SerDesError: some batch here (an inlined
    helper's and a child context's included) has a custom item_serdes or a serdes in its branches.
    `throw_if_error()` then raises SerDesError when the first failed branch's error is one, as the
    runtime does for any BatchResult."""
    todo = [em.handler.function.body]
    while todo:
        for stmt in n.walk(todo.pop()):
            if isinstance(stmt, n.HelperCall) and stmt.region is not None:
                todo.append(stmt.region.body)
            if not isinstance(stmt, n.Operation):
                continue
            todo.extend(r.body for r in n.regions(stmt))
            if stmt.kind in (n.OpKind.PARALLEL, n.OpKind.MAP) and (custom(stmt) or serdes_inside(stmt)):
                return True
    return False


def serdes_inside(op: n.Operation) -> bool:
    """Whether an operation in the batch's branches names a serdes other than JsonSerDes, whose SerDesError
    is that branch's error (so the batch does not fail as a state by itself, emit_batch.direct)."""
    for region in n.regions(op):
        for stmt in n.walk(region.body):
            settings = stmt.settings if isinstance(stmt, n.Operation) else None
            if any(isinstance(value, dict) and key in SERDES_KEYS and value.get("type") != "JsonSerDes"
                   for key, value in (settings or {}).items()):
                return True
    return False


def _key(op: n.Operation) -> str:
    return f"{op.id}_items"
