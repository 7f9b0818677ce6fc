"""try/except and raise: which task failures each `except` catches, as ASL Catch entries.

A durable step that fails raises StepError in the handler whatever its body raised, so `except
StepError` (or DurableOperationError, Exception, a bare except) catches every failure of step tasks;
`except InvokeError` those of invoke tasks; `except CallbackError` those of callback tasks. Code lifted
into the steps function raises its own exception types, matched by name. A `raise` inside a `try` whose
handler matches jumps to that handler. The caught error reads as `err.error_type` and `err.message`
(the task's own error type: the body's exception class).

A failure that no `except` catches needs no Catch when the steps function runs the failing code (step
bodies, condition checks, lifted code): the task itself fails with the error class the handler would
fail with (`escape`; StepError, WaitForConditionError, or ChildContextError inside a child context
nothing catches), once its Retry is done, and so does the execution. Failures that come from outside
the steps function (an invoked function, a callback's answer) are caught by an entry whose Output
names the SDK's error class, and fail in the scope's one Fail state, which fails with that error.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_finally
from durable_compile.backends.asl.emit_support import Unsupported, jsonata_name
from durable_compile.backends.asl.error_names import qualified_type
from durable_compile.backends.asl.jsonata import string_literal
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

ALL = "States.ALL"
CATCH_ALL = frozenset({"Exception", "BaseException", None})
#: durable error classes -> the task kinds whose failures they catch
DURABLE = {
    "DurableOperationError": {"step", "invoke", "callback", "child", "condition"},
    "StepError": {"step"},
    "ChildContextError": {"child"},
    "WaitForConditionError": {"condition"},
    "InvokeError": {"invoke"},
    "CallbackError": {"callback"},
    "CallbackTimeoutError": {"callback"},
    "CallbackExternalError": {"callback"},
    "CallbackSubmitterError": {"callback"},
}
MESSAGE = "{% ($c := $states.errorOutput.Cause; $substring($c, 0, 1) = '{' ? $eval($c).errorMessage : $c) %}"
#: the module the SDK's error classes are recorded under (an ErrorObject's type, a ChildContextError's
#: `error_type`, a BatchResult item's error type): `aws_durable_execution_sdk_python.exceptions.StepError`
SDK_MODULE = "aws_durable_execution_sdk_python.exceptions"
#: the SDK's error classes, which the handler sees by those names and the SDK records under SDK_MODULE
SDK_CLASSES = (*DURABLE, "SerDesError")
#: task kinds -> the error class an uncaught failure raises in the handler
UNCAUGHT = {"step": "StepError", "invoke": "InvokeError", "callback": "CallbackError",
            "condition": "WaitForConditionError"}
#: the class of a callback failure no `except` catches: wait_for_callback's submitter failing, a timeout
#: (hard or heartbeat), else the answer's failure
CALLBACK_CLASS = "($e := $states.errorOutput.Error; $e = 'CallbackSubmitterError' ? $e : " \
                 "$e in ['States.Timeout', 'States.HeartbeatTimeout'] ? 'CallbackTimeoutError' : " \
                 "'CallbackExternalError')"
#: the cause of a callback's failure nothing catches: a timeout has the SDK's message, anything else the
#: error's own cause (a caught one's `err.message` is the task's cause)
CALLBACK_CAUSE = "($states.errorOutput.Error = 'States.Timeout' ? 'Callback timed out' : " \
                 "$states.errorOutput.Error = 'States.HeartbeatTimeout' ? 'Callback timed out on heartbeat' : " \
                 "$states.errorOutput.Cause)"
#: the SDK's CallbackError subclasses an `except` can single out -> the task errors that raise them
#: (CallbackExternalError, an answer's failure under any name, still catches States.ALL)
CALLBACK_ERRORS = {"CallbackTimeoutError": ["States.Timeout", "States.HeartbeatTimeout"],
                   "CallbackSubmitterError": ["CallbackSubmitterError"]}
#: task kinds whose failing code runs in the steps function, which can raise the uncaught error itself
RAISED_IN_STEPS = frozenset({"step", "condition", "compute"})


@dataclass
class Handler:
    types: list[str | None]  #: class names of the except clause (None for bare)
    target: str | Callable[[], str]  #: first state of its body, or what emits it on first use
    name: str | None  #: the `as` name
    raises: str | None = None  #: set on the boundary of a child context nothing catches: the error
    #: class everything it catches leaves the handler as
    reraise: str | None = None  #: the variable that holds the caught exception's class, for a bare `raise`
    #: on the boundary of a child context (emit_child): the parent's tries, where a SerDesError goes on
    outer: list[TryFrame] | None = None
    variable: str | None = None  #: the workflow variable of `name`, resolved where the except clause is (an
    #: inlined helper renames its own locals, not the caller's)

    def __post_init__(self) -> None:
        if self.name and self.variable is None:
            self.variable = jsonata_name(self.name)

    @property
    def entry(self) -> str:
        if not isinstance(self.target, str):
            self.target = self.target()
        return self.target


@dataclass
class TryFrame:
    handlers: list[Handler]
    finally_error: str | None = None  #: the copy of the finally block that ends by re-raising
    pending: str | None = None  #: the variable holding the exception that finally re-raises
    finalbody: tuple[n.Stmt, ...] = ()  #: the finally block (copied for each way out)
    loops: int = 0  #: how many loops were open around the try (a `break` leaves the tries inside its loop)


def try_(em: Emitter, stmt: n.Try, nxt: str) -> str:
    if not stmt.finalbody:
        handlers = [Handler(_types(h.type), em.block(h.body, nxt), h.name, reraise=_reraises(h))
                    for h in stmt.handlers]
        after = em.block(stmt.orelse, nxt)
        return _inside(em, TryFrame(handlers), lambda: em.block(stmt.body, after))
    # The finally block runs on every way out: normally, after an exception (then raises it again, by its
    # class, to what encloses the try), before a return, break or continue (emit_finally).
    pending = em.fresh("pending")
    error = (f"${pending}.Error", f"${pending}.Cause", f"${pending}.Type")
    reraise = emit_finally.dispatch(em, error, stmt.span, f"Reraise-line-{stmt.span.line}", "re-raise after finally")
    loops = len(em.loops)
    frame = TryFrame([], em.block(stmt.finalbody, reraise), pending, stmt.finalbody, loops)
    normal = em.block(stmt.finalbody, nxt)
    handlers = [Handler(_types(h.type), _inside(em, frame, partial(em.block, h.body, normal)), h.name,
                        reraise=_reraises(h)) for h in stmt.handlers]
    after = _inside(em, frame, lambda: em.block(stmt.orelse, normal))
    full = TryFrame(handlers, frame.finally_error, pending, stmt.finalbody, loops)
    return _inside(em, full, lambda: em.block(stmt.body, after))


def _reraises(handler: n.ExceptHandler) -> str | None:
    """The variable for the class of the exception an `except ... as name` block re-raises with a bare
    `raise` (None when it has no name or no bare raise)."""
    if handler.name and any(isinstance(s, n.Raise) and s.exc is None for s in n.walk(handler.body)):
        return raised_class(handler.name)
    return None


def raised_class(name: str) -> str:
    return jsonata_name(name) + "_class"


def _inside(em: Emitter, frame: TryFrame, emit: Callable[[], str]) -> str:
    em.tries.append(frame)
    try:
        return emit()
    finally:
        em.tries.pop()


def finally_frame(em: Emitter) -> TryFrame | None:
    return next((f for f in reversed(em.tries) if f.finally_error), None)


def _types(expr: ir.Expr | None) -> list[str | None]:
    if expr is None:
        return [None]
    elts = expr.elts if isinstance(expr, ir.TupleExpr) else (expr,)
    return [e.attr if isinstance(e, ir.Attr) else e.code for e in elts]


def matches(types: list[str | None], kind: str) -> list[str] | None:
    """The ErrorEquals of an except clause for failures of `kind`, or None when it does not catch them."""
    return _matches(types, kind)


def _matches(types: list[str | None], kind: str) -> list[str] | None:
    names: list[str] = []
    for t in types:
        if kind == "callback" and t in CALLBACK_ERRORS:
            names += CALLBACK_ERRORS[str(t)]
            continue
        if t in CATCH_ALL or kind in DURABLE.get(str(t), set()):
            return [ALL]
        if kind == "compute" and t is not None and t not in DURABLE:
            names += [t, *builtin_subclasses(t)]
    return names or None


def builtin_subclasses(name: str) -> list[str]:
    """The builtin exception classes under the builtin class `name` (`LookupError`: IndexError, KeyError),
    which the steps function reports under their own names: an `except LookupError` must list them."""
    cls = getattr(builtins, name, None)
    if not isinstance(cls, type) or not issubclass(cls, BaseException):
        return []
    found: set[str] = set()
    todo = list(cls.__subclasses__())
    while todo:
        sub = todo.pop()
        if getattr(builtins, sub.__name__, None) is sub:
            found.add(sub.__name__)
        todo += sub.__subclasses__()
    return sorted(found)


def catchers(em: Emitter, kind: str, raised: bool = False) -> list[dict[str, Any]]:
    """The Catch entries of a task of `kind` at this point of the handler, innermost try first. With
    `raised`, the task raises the uncaught error itself (`escape`), so no entry is made for it."""
    found, leaves = _route(em, kind)
    if em.branch is not None and isinstance(leaves, str):  # in a batch branch: the branch's error entry
        return [*found, em.branch.catcher(kind)]
    if raised:
        return found
    if isinstance(leaves, Handler):
        found.append(_entry(leaves, [ALL], kind))
    elif leaves is not None and kind in UNCAUGHT:
        found.append(uncaught_entry(em, kind))
    return found


def escape(em: Emitter, kind: str) -> str | None:
    """The error class a task of `kind` raises itself for a failure that no `except` catches (so that it
    needs no Catch), when its failing code runs in the steps function and no `except` catches some of
    its errors by type; else None."""
    found, leaves = _route(em, kind)
    if kind not in RAISED_IN_STEPS or found:
        return None
    return leaves.raises if isinstance(leaves, Handler) else leaves


def _route(em: Emitter, kind: str) -> tuple[list[dict[str, Any]], Handler | str | None]:
    """The Catch entries of the `except` clauses that catch failures of `kind`, and how the failures
    none of them catches leave: through the boundary of a child context nothing catches, as the error
    class the handler fails with, or not at all (None: a clause or a finally catches every one)."""
    found: list[dict[str, Any]] = []
    for frame in reversed(em.tries):
        for handler in frame.handlers:
            errors = _matches(handler.types, kind)
            if errors is None:
                continue
            if handler.raises is not None:
                return found, handler
            found.append(_entry(handler, errors, kind))
            if errors == [ALL]:
                return found, None
        if frame.finally_error and frame.pending:
            error = uncaught_class(kind) if kind in UNCAUGHT else "$states.errorOutput.Error"
            pending = emit_finally.pending((error, MESSAGE[3:-3], "$states.errorOutput.Error"))
            found.append({"ErrorEquals": [ALL], "Next": frame.finally_error, "Assign": {frame.pending: pending}})
            return found, None
    return found, UNCAUGHT.get(kind)


def recorded(cls: str) -> str:
    """The JSONata of the type an exception of class `cls` (the JSONata of its bare class name) is recorded
    under, as ErrorObject.from_exception writes it: the SDK's classes qualified by SDK_MODULE, any other as
    it is (a builtin bare; a task's error type is what the steps function reported)."""
    literal = cls[1:-1] if cls[:1] == cls[-1:] == "'" and "'" not in cls[1:-1] else None
    if literal is not None:
        return string_literal(f"{SDK_MODULE}.{literal}") if literal in SDK_CLASSES else cls
    names = ", ".join(map(string_literal, SDK_CLASSES))
    return f"($__c := {cls}; $__c in [{names}] ? '{SDK_MODULE}.' & $__c : $__c)"


def caught_error(error_type: str, message: str, cls: str) -> str:
    """The JSONata of a caught error, the value of an `except ... as err` variable: its `error_type` and
    `message`, and its class (`error_class`: the SDK's classes by their bare name, others by the type
    they are recorded under; the steps function rebuilds the exception object the handler holds from
    it, a child context records it, qualified by `recorded`); each argument is JSONata."""
    return f"{{% {{'error_type': {error_type}, 'message': {message}, 'error_class': {cls}}} %}}"


def error_output(kind: str) -> str:
    """The caught error of a task of `kind` that failed, read from `$states.errorOutput`: a durable
    operation's failure is the SDK's class (StepError, ...), lifted code's its own exception class."""
    cls = uncaught_class(kind) if kind in UNCAUGHT else "$states.errorOutput.Error"
    return caught_error("$states.errorOutput.Error", MESSAGE[3:-3], cls)


#: a caught failure of a task whose kind is not known here (its class is the task's error type)
ERROR_OUTPUT = error_output("compute")


def _entry(handler: Handler, errors: list[str], kind: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"ErrorEquals": errors, "Next": handler.entry}
    if handler.variable:
        entry["Assign"] = {handler.variable: error_output(kind)}
    if handler.reraise:  # the class the handler sees: the SDK's for a durable failure, else the task's own
        entry["Assign"][handler.reraise] = "{% " + CALLBACK_CLASS + " %}" if kind == "callback" else \
            UNCAUGHT.get(kind, "{% $states.errorOutput.Error %}")
    return entry


def uncaught_entry(em: Emitter, kind: str) -> dict[str, Any]:
    """The Catch entry of a durable failure no `except` catches: the execution fails with the SDK's error
    class (a callback answered with a failure raises CallbackExternalError in the handler, whatever error
    the answer names), which the entry sets in its Output for the scope's one Fail state."""
    cause = CALLBACK_CAUSE if kind == "callback" else "$states.errorOutput.Cause"
    output = f"{{% {{'Error': {uncaught_class(kind)}, 'Cause': {cause}}} %}}"
    return {"ErrorEquals": [ALL], "Next": _uncaught(em), "Output": output}


def uncaught_class(kind: str) -> str:
    """The JSONata text of the error class a failure of `kind` raises in the handler (an SDK class)."""
    return CALLBACK_CLASS if kind == "callback" else string_literal(UNCAUGHT[kind])


def _uncaught(em: Emitter) -> str:
    """The Fail state of the durable failures no `except` catches, one per scope (a Parallel branch is a
    scope of its own; names are unique machine-wide): it fails with the error its Catch entry gives."""
    what = "unhandled durable error"
    name = next((k for k, s in em.states.items() if s.get("Comment", "").startswith(what)), None)
    if name is None:
        name = em.namer.name("Unhandled-error")
        cause = MESSAGE.replace("$states.errorOutput", "$states.input")
        em.put(name, {"Type": "Fail", "Error": "{% $states.input.Error %}", "Cause": cause}, em.handler.function.span,
               what)
    return name


def raise_(em: Emitter, stmt: n.Raise, error_type: str | None = None) -> str:
    """`raise Cls(message)`; `error_type` (JSONata) is the caught error's `error_type` when it is not the
    class's name (a ChildContextError that `throw_if_error()` raises names the failed branch's)."""
    if stmt.exc is None:
        return _reraise(em, stmt)
    cls, message = _exception(em, stmt.exc)
    name = em.namer.name(f"Raise-{cls}")
    handler = _handler_for(em, cls)
    if handler is not None and handler.raises is not None:  # leaves an uncaught child context
        cls = handler.raises
        handler = None
    if handler is not None:
        error = caught_error(error_type or recorded(string_literal(cls)), message, _raised_class(em, stmt.exc, cls))
        assign = {handler.variable: error} if handler.variable else {}
        if handler.reraise:
            assign[handler.reraise] = cls
        return em.put(name, {"Type": "Pass", "Assign": assign, "Next": handler.entry}, stmt.span,
                      f"raise {cls}, caught")
    frame = finally_frame(em)
    if frame is not None and frame.finally_error and frame.pending:
        pending = emit_finally.pending((string_literal(cls), message, error_type or recorded(string_literal(cls))))
        return em.put(name, {"Type": "Pass", "Assign": {frame.pending: pending}, "Next": frame.finally_error},
                      stmt.span, f"raise {cls} through finally")
    # in a batch branch, the Fail is the branch's error entry: its type is recorded as the SDK records it
    state: dict[str, Any] = {"Type": "Fail", "Error": cls if em.branch is None else _recorded_name(em, stmt.exc, cls)}
    if message != "''":
        state["Cause"] = f"{{% {message} %}}"
    return em.put(name, state, stmt.span, f"raise {cls}")


def caught(em: Emitter, cls: str) -> bool:
    """Whether a `raise cls(...)` here goes to an `except` or a `finally` (not out of the scope)."""
    return _handler_for(em, cls) is not None or finally_frame(em) is not None


def _reraise(em: Emitter, stmt: n.Raise) -> str:
    """A bare `raise` in an `except ... as err` block raises the caught exception again: its class (the
    SDK's for a durable failure, the raised one for code that failed), message and error type, to the
    enclosing `except` that catches that class, through a `finally`, or out of the handler (out of a
    child context nothing catches, as ChildContextError)."""
    error = _current_error(em)
    if error is None:
        raise Unsupported(stmt.span, "a bare raise outside an except block with a name")
    raised = (f"${raised_class(error)}", f"${error}.message", f"${error}.error_type")
    return emit_finally.dispatch(em, raised, stmt.span, f"Reraise-line-{stmt.span.line}", "raise again")


def _current_error(em: Emitter) -> str | None:
    names = sorted(em.errors)
    return jsonata_name(names[0]) if len(names) == 1 else None


def _raised_class(em: Emitter, exc: ir.Expr, cls: str) -> str:
    """The JSONata of the bare class name the raised exception is recorded under (for the caught error):
    the SDK's classes by their name, a user's class qualified by its module, as the steps function and
    the SDK name it (error_names)."""
    return string_literal(_recorded_name(em, exc, cls))


def _recorded_name(em: Emitter, exc: ir.Expr, cls: str) -> str:
    if cls in SDK_CLASSES:
        return cls
    func = exc.func if isinstance(exc, ir.Call) else exc
    return qualified_type(em.top_text, Path(em.handler.path).stem, func.code)


def _exception(em: Emitter, exc: ir.Expr) -> tuple[str, str]:
    """The class name and the JSONata text of the message of `raise Cls(message)`."""
    func = exc.func if isinstance(exc, ir.Call) else exc
    cls = func.attr if isinstance(func, ir.Attr) else func.code
    message = "''"
    if isinstance(exc, ir.Call) and exc.args:
        value = em.value(ir.Expr(f"str({exc.args[0].code})", exc.args[0].span))
        message = value[3:-3] if value is not None else "''"
    return cls, message


def _handler_for(em: Emitter, cls: str) -> Handler | None:
    kinds = DURABLE.get(cls, set())  # a raised durable error class is caught as that operation's failure
    for frame in reversed(em.tries):
        for handler in frame.handlers:
            if len(kinds) == 1 and _matches(handler.types, next(iter(kinds))) is not None:
                return handler
            if _matches(handler.types, "compute") is not None and (cls in handler.types or
                                                                   set(handler.types) & CATCH_ALL):
                return handler
        if frame.finally_error:  # the finally block runs first
            return None
    return None
