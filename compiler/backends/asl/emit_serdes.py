"""Custom serdes: what the SDK's `serialize`/`deserialize` make of an operation's values, computed by the
steps function where the runtime computes them.

Takes an operation whose config names a serdes; gives the Python that runs it (for the steps function's
code), the tasks that run it on values the machine holds, and the Catch entries of a failing serdes.
The SDK passes through the serdes, on the first run too:
- a step's result, a child context's return value and each wait_for_condition state: a round trip,
  `deserialize(serialize(value))` (`roundtrip`, `_roundtrip` in the steps handler);
- a callback's answer (create_callback, wait_for_callback): `deserialize` of the text sent, and a
  wait_for_callback's submitter result, round-tripped as a step's;
- an invoke's payload (`serdes_payload`: the invoked function receives the JSON it writes) and its result
  (`serdes_result`: `deserialize` of the function's JSON answer).
A serdes that fails raises SerDesError in the handler, without a retry, and as SerDesError itself: `except
StepError` (or InvokeError, CallbackError, WaitForConditionError) and child-context boundaries let it through,
while `except Exception`, `except SerDesError` and `finally` catch it. The task that runs it fails under that
name, and its Catch sends that error where the handler would take it (`catch`). The machine holds values as
JSON: a serdes whose `deserialize` gives something JSON cannot carry fails that task. JsonSerDes,
ExtendedTypeSerDes and no serdes change no JSON value in a round trip, so they need none; reading an answer,
only JsonSerDes gives its JSON value. The steps function builds the serdes from its expression, which may
therefore read module names only, not handler locals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_finally, emit_try
from durable_compile.backends.asl.batch import failed_entry
from durable_compile.backends.asl.emit_support import Escape, Lifted, Unsupported
from durable_compile.backends.asl.jsonata import string_literal
from durable_compile.backends.asl.module_facts import task_state
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: serdes classes that round-trip every JSON value unchanged
IDENTITY = frozenset({"JsonSerDes", "ExtendedTypeSerDes"})
#: serdes classes whose `deserialize` of JSON text gives its JSON value (ExtendedTypeSerDes expects an envelope)
READS_JSON = frozenset({"JsonSerDes"})
#: the SDK's serdes classes (the front end gives their type, not their expression)
SDK = frozenset({"JsonSerDes", "ExtendedTypeSerDes", "PassThroughSerDes"})
#: the error type a failing serdes leaves a task under
ERROR = "SerDesError"
#: except clauses that catch a SerDesError (a bare one, and its bases)
CATCHES = emit_try.CATCH_ALL | {ERROR, "DurableExecutionsError"}
MESSAGE = emit_try.MESSAGE[3:-3]
#: the type a SerDesError is recorded under (its `error_type`, a BatchResult item's type): the SDK's
RECORDED = emit_try.recorded(string_literal(ERROR))
#: a caught SerDesError (`except SerDesError as err`)
CAUGHT = emit_try.caught_error(RECORDED, MESSAGE, string_literal(ERROR))


def serdes_code(em: Emitter, op: n.Operation, key: str = "serdes",
                identity: frozenset[str] = IDENTITY) -> str | None:
    """The Python expression of the operation's custom serdes (its evaluated config's `key`), None when
    it has none or one of `identity`."""
    serdes = (op.settings or {}).get(key)
    if not isinstance(serdes, dict) or serdes.get("type") in identity:
        return None
    code = serdes.get("expr")
    if code is None and serdes.get("type") in SDK:  # the SDK's own class, built by the steps function
        return checked(em, op, f"_sdk_serdes.{serdes['type']}()", identity)
    if not isinstance(code, str):
        raise Unsupported(op.span, f"the {key} of {op.label} could not be read")
    return checked(em, op, code, identity)


def checked(em: Emitter, op: n.Operation, code: str | None, identity: frozenset[str] = IDENTITY) -> str | None:
    """`code` when the steps function can build the serdes it writes and the machine can route its
    failure; None for an identity serdes."""
    if code is None or code.split("(", 1)[0].rsplit(".", 1)[-1].strip() in identity:
        return None
    from durable_compile.backends.asl.emit_ops import _module_level
    if not code.startswith("_sdk_serdes.") and not _module_level(em, code):
        raise Unsupported(op.span, f"the serdes {code!r} reads handler locals, but the steps function builds it "
                                   "from its expression: build it from module-level names (e.g. a module constant)")
    catch(em, op)  # refuses a route the machine cannot take
    return code


def catch(em: Emitter, op: n.Operation, others: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The Catch entries for SerDesError of a task that runs a serdes, to put before `others` (its entries
    for other failures): to the `except` or `finally` that catches it, or, when none does and `others`
    could take it, to the scope's Fail with SerDesError. Child-context boundaries let it through; in a batch
    branch nothing catches, it is the branch's error (ErrorType SerDesError, as the runtime records it)."""
    found = _route(op, em.tries)
    if found is not None:
        return found
    if em.branch is not None:
        error = failed_entry(MESSAGE, RECORDED)
        return [{"ErrorEquals": [ERROR], "Output": error, "Next": em.branch.failed()}]
    if not others:
        return []
    output = f"{{% {{'Error': {string_literal(ERROR)}, 'Cause': $states.errorOutput.Cause}} %}}"
    return [{"ErrorEquals": [ERROR], "Next": emit_try._uncaught(em), "Output": output}]


def _route(op: n.Operation, tries: list[emit_try.TryFrame]) -> list[dict[str, Any]] | None:
    """The entry to what catches a SerDesError raised here (None: nothing does)."""
    for index in reversed(range(len(tries))):
        frame = tries[index]
        for handler in frame.handlers:
            if handler.outer is not None:  # a child context's boundary: the error goes on in its parent, whose
                return _route(op, handler.outer)  # states are the child's (inlined), as its except and finally
            if handler.raises is not None:  # a boundary that fails the batch with ChildContextError (direct)
                raise Unsupported(op.span, f"a custom serdes inside a parallel/map branch ({op.label}) whose failure "
                                           "would fail the batch as ChildContextError: to-asl does not route it")
            if set(handler.types) & CATCHES:
                return [_entry(handler)]
        if frame.finally_error and frame.pending:
            if any(h.outer is not None for f in tries[:index] for h in f.handlers):
                raise Unsupported(op.span, f"a custom serdes of {op.label} inside a try/finally within a child "
                                           "context: the SerDesError raised again after the finally block would be "
                                           "taken for the child's failure; move the finally out of the child")
            error = (string_literal(ERROR), MESSAGE, RECORDED)
            return [{"ErrorEquals": [ERROR], "Next": frame.finally_error,
                     "Assign": {frame.pending: emit_finally.pending(error)}}]
    return None


def _entry(handler: emit_try.Handler) -> dict[str, Any]:
    entry: dict[str, Any] = {"ErrorEquals": [ERROR], "Next": handler.entry}
    assign: dict[str, str] = {}
    if handler.variable:  # the except variable as resolved where the clause is written (a helper's own)
        assign[handler.variable] = CAUGHT
    if handler.reraise:
        assign[handler.reraise] = ERROR
    if assign:
        entry["Assign"] = assign
    return entry


def with_catch(em: Emitter, op: n.Operation, state: dict[str, Any]) -> None:
    """Put the SerDesError entries in front of the task's Catch."""
    entries = catch(em, op, state.get("Catch"))
    if entries:
        state["Catch"] = entries + state.get("Catch", [])


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
    checked(em, op, code)
    escape = emit_try.escape(em, "compute")
    em.out.lifted.append(Lifted(key, "compute", (value,), (f"return {roundtrip(code, value, op)}",), op.span.line,
                                escape=None if escape is None else Escape(escape), serdes=True))
    state = task_state(key, [value])
    if target is not None:
        state["Assign"] = {target: "{% $states.result.Payload %}"}
    state["Next"] = nxt
    with_catch(em, op, state)
    return em.put(em.namer.name("serdes"), state, op.span, f"child context {op.label}: its result through the serdes")


def read_task(em: Emitter, op: n.Operation, code: str, value: str, target: str | None, nxt: str, what: str) -> str:
    """The task that gives the handler what the serdes `code` reads from the JSON held in the variable
    `value` (a callback's answer, an invoked function's result), into `target`."""
    key = f"{op.id}_read"
    em.out.lifted.append(Lifted(key, "compute", (value,), (f"return _deserialized({code}, {value}, {op.id!r})",),
                                op.span.line, serdes=True))
    state = task_state(key, [value])
    if target is not None:
        state["Assign"] = {target: "{% $states.result.Payload %}"}
    state["Next"] = nxt
    with_catch(em, op, state)
    label = op.label.replace('"', "")
    return em.put(em.namer.name(f"{label}-read"), state, op.span, f"{what} of {label} through the serdes")
