"""Which module emits an operation kind beyond steps, waits, invokes and wait_for_callback (emit_ops).

Takes the emitter and an operation; gives the function that emits it, or None to let emit_ops decide.
A step that sends a callback's id is emitted by the callback's task, not as a step of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from durable_compile.backends.asl import emit_callback, emit_child, emit_condition
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

Emit = Callable[["Emitter", n.Operation, str], str]
KINDS: dict[n.OpKind, Emit] = {
    n.OpKind.CHILD_CONTEXT: emit_child.child_context,
    n.OpKind.WAIT_FOR_CONDITION: emit_condition.wait_for_condition,
    n.OpKind.CREATE_CALLBACK: emit_callback.create,
    n.OpKind.CALLBACK_RESULT: emit_callback.result,
}


def emitter_for(em: Emitter, op: n.Operation) -> Emit | None:
    if op.kind is n.OpKind.STEP and op.id in em.callbacks.by_submit:
        return emit_callback.submit_step
    return KINDS.get(op.kind)
