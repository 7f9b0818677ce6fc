"""Custom serdes: the round trip `deserialize(serialize(value))` the SDK applies to an operation's result,
run by the steps function where the runtime runs it.

Takes an operation whose config names a serdes; gives the Python that round-trips a value through it
(`roundtrip`, for the steps function's code) and, for a child context, the task that does it. The SDK
checkpoints a step's result, a child context's return value and a wait_for_condition's state through
the serdes and hands the handler what it deserializes, on the first run too; the steps function calls
the SDK's own `serialize` and `deserialize` (`_roundtrip` in the steps handler). A serdes that fails
raises SerDesError in the handler, without a retry, and as SerDesError itself: `except StepError` and
child-context boundaries let it through. The task then fails under that name, with no retry, which
ends the execution as on the runtime; where an `except`, a `finally` or the parent of a child context
could catch the failure, routing it is not compiled (DUR820). The machine holds values as JSON: a
serdes whose `deserialize` gives something JSON cannot carry fails that task. JsonSerDes,
ExtendedTypeSerDes and no serdes change no JSON value, so they need no round trip. The steps function
builds the serdes from its expression, which may therefore read module names only, not handler locals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_try
from durable_compile.backends.asl.emit_support import Escape, Lifted, Unsupported
from durable_compile.backends.asl.module_facts import task_state
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: serdes classes that round-trip every JSON value unchanged
IDENTITY = frozenset({"JsonSerDes", "ExtendedTypeSerDes"})
#: the error type a failing serdes leaves a task under
ERROR = "SerDesError"


def serdes_code(em: Emitter, op: n.Operation, key: str = "serdes") -> str | None:
    """The Python expression of the operation's custom serdes (its evaluated config's `key`), None when
    it has none that changes a JSON value."""
    serdes = (op.settings or {}).get(key)
    if not isinstance(serdes, dict) or serdes.get("type") in IDENTITY:
        return None
    code = serdes.get("expr")
    if not isinstance(code, str):
        raise Unsupported(op.span, f"the {key} of {op.label} could not be read")
    return checked(em, op, code)


def checked(em: Emitter, op: n.Operation, code: str | None, kind: str = "step") -> str | None:
    """`code` when the steps function can build the serdes it writes and nothing here catches a failure
    of a task of `kind`; None for an identity serdes."""
    if code is None or code.split("(", 1)[0].rsplit(".", 1)[-1].strip() in IDENTITY:
        return None
    from durable_compile.backends.asl.emit_ops import _module_level
    if not _module_level(em, code):
        raise Unsupported(op.span, f"the serdes {code!r} reads handler locals, but the steps function builds it "
                                   "from its expression: build it from module-level names (e.g. a module constant)")
    if em.branch is not None or emit_try.catchers(em, kind, raised=True):
        raise Unsupported(op.span, f"a custom serdes where an except, a finally or a batch catches {op.label}'s "
                                   "failures: a failing serdes raises SerDesError through `except StepError` and "
                                   "child contexts, which to-asl does not route; move the operation out of the try")
    return code


def roundtrip(code: str, value: str, op: n.Operation) -> str:
    """Python: `value` as the handler receives it through the serdes `code`."""
    return f"_roundtrip({code}, {value}, {op.id!r})"


def not_retried(retry: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A step's Retry that leaves a failing serdes alone (the SDK fails the step at once)."""
    return [{"ErrorEquals": [ERROR], "MaxAttempts": 0}, *retry]


def child_roundtrip(em: Emitter, op: n.Operation, code: str, value: str, target: str | None, nxt: str) -> str:
    """The task that passes a child context's return value (in the variable `value`) through its serdes
    into `target`, emitted inside the child: a failure is the child's (ChildContextError)."""
    key = f"{op.id}_serdes"
    checked(em, op, code, "compute")
    escape = emit_try.escape(em, "compute")
    em.out.lifted.append(Lifted(key, "compute", (value,), (f"return {roundtrip(code, value, op)}",), op.span.line,
                                escape=None if escape is None else Escape(escape), serdes=True))
    state = task_state(key, [value])
    if target is not None:
        state["Assign"] = {target: "{% $states.result.Payload %}"}
    state["Next"] = nxt
    return em.put(em.namer.name("serdes"), state, op.span, f"child context {op.label}: its result through the serdes")
