"""finally blocks on every way out of a try, and errors raised again by a class known only at run time.

Takes the emitter's open try frames (emit_try.TryFrame); gives the states of a `return`, `break` or
`continue` that leaves try/finally blocks, and of an error raised again. A finally block is copied
onto each way out: the normal end and an error (emit_try), and each jump out of the try (here): the
copies of every finally block between the jump and its target run innermost first, each one with only
the `except` clauses and finally blocks outside its own try (an error inside it replaces the pending
outcome, as in Python), then the jump goes on. A `return` computes its value first.

An error raised again, after a finally block or by a bare `raise`, is routed by its class at run time
(`dispatch`): a Choice tests the class against the enclosing `except` clauses innermost first (a
durable error class catches the SDK classes of its operations, any other class catches its own name,
as the Catch entries of emit_try do), else it enters the next enclosing finally block, or leaves a
child context as ChildContextError, or fails the execution with its own class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import batch_returns, emit_try, finally_alias
from durable_compile.backends.asl.emit_support import Unsupported
from durable_compile.backends.asl.jsonata import string_literal
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: the error a `dispatch` routes: JSONata expressions of its class, message and original error type
Error = tuple[str, str, str]


def jump(em: Emitter, target: str) -> str:
    """`break` or `continue` to `target`: through the finally blocks of the tries inside the loop."""
    depth = len(em.loops)
    return _through(em, [(i, f) for i, f in enumerate(em.tries) if f.finally_error and f.loops >= depth], target)


def return_(em: Emitter, stmt: n.Return, finish: Callable[[str], str] | None = None, outer: int = 0) -> str | None:
    """`return` inside try/finally blocks: the value is computed first, then every finally block runs
    (innermost first), then `finish(variable holding the value)` (default: the execution succeeds with
    it). None when no finally block is open (a plain return). The first `outer` try frames belong to the
    caller of an inlined helper: its return leaves none of them."""
    frames = [(i, f) for i, f in enumerate(em.tries) if f.finally_error and i >= outer]
    if not frames:
        return None
    order = "before" if stmt.value is None else finally_alias.when(stmt.value, (f.finalbody for _, f in frames),
                                                                    em.typed()[1])
    if order not in ("before", "after"):
        raise Unsupported(stmt.span, order)
    result = em.fresh("result")
    if finish is None:
        done = em.put(em.namer.name(f"Return-line-{stmt.span.line}"),
                      {"Type": "Succeed", "Output": f"{{% ${result} %}}"}, stmt.span, "return")
    else:
        done = finish(result)
    if order == "after":  # the value holds what the finally blocks change in place
        return _through(em, frames, _value(em, stmt, result, done))
    return _value(em, stmt, result, _through(em, frames, done))


def _value(em: Emitter, stmt: n.Return, result: str, nxt: str) -> str:
    """Assign the returned value to `result`, then go to `nxt`."""
    value = batch_returns.returned(em.batches, stmt.value) if em.returns else None  # an inlined helper's batch
    if value is None:
        value = em.value(stmt.value) if stmt.value is not None else "{% null %}"
    if value is None:
        return em.lifted_value(stmt.value, stmt.span, nxt, result)  # type: ignore[arg-type]
    return em.put(em.namer.name(f"Set-{result}"), {"Type": "Pass", "Assign": {result: value}, "Next": nxt},
                  stmt.span, "return value")


def _through(em: Emitter, frames: list[tuple[int, emit_try.TryFrame]], end: str) -> str:
    """The copies of the finally blocks of `frames` (index in em.tries, frame; outermost first) chained
    innermost first and ending at `end`; each is emitted with only the frames outside its try."""
    saved, entry = em.tries, end
    try:
        for index, frame in frames:
            em.tries = saved[:index]
            entry = em.block(frame.finalbody, entry)
    finally:
        em.tries = saved
    return entry


def pending(error: Error) -> str:
    """The value of a finally frame's pending variable for `error`."""
    cls, message, kind = error
    return f"{{% {{'Error': {cls}, 'Cause': {message}, 'Type': {kind}}} %}}"


def dispatch(em: Emitter, error: Error, span: Span, label: str, what: str) -> str:
    """The first state of raising `error` (class, message, original type) again at this point."""
    routes: list[tuple[str | None, Callable[[str], str]]] = []
    for frame in reversed(em.tries):
        for handler in frame.handlers:
            names = None if handler.raises is not None else caught_names(handler.types)
            routes.append((_test(error[0], names), _to_handler(em, handler, error, span, what)))
            if names is None:
                return _route(em, routes, label, span, what)
        if frame.finally_error and frame.pending:
            routes.append((None, _to_finally(em, frame, error, span, what)))
            return _route(em, routes, label, span, what)
    routes.append((None, _fail(em, error, span, what)))
    return _route(em, routes, label, span, what)


def caught_names(types: list[str | None]) -> list[str] | None:
    """The error classes an except clause catches, None for every one."""
    names: list[str] = []
    for t in types:
        if t in emit_try.CATCH_ALL:
            return None
        assert t is not None
        kinds = emit_try.DURABLE.get(t)
        names += [t] if kinds is None else [c for c, k in emit_try.DURABLE.items() if k <= kinds]
    return sorted(set(names))


def _test(cls: str, names: list[str] | None) -> str | None:
    return None if names is None else f"{{% {cls} in [{', '.join(map(string_literal, names))}] %}}"


def _route(em: Emitter, routes: list[tuple[str | None, Callable[[str], str]]], label: str, span: Span,
           what: str) -> str:
    """One state when the first route takes every error, else a Choice over the routes' tests."""
    if routes[0][0] is None:
        return routes[0][1](em.namer.name(label))
    name = em.namer.name(label)
    choices = [{"Condition": test, "Next": emit(em.namer.name(f"{label}-caught"))}
               for test, emit in routes if test is not None]
    default = next((emit for test, emit in routes if test is None), None)
    assert default is not None
    state: dict[str, Any] = {"Type": "Choice", "Choices": choices,
                             "Default": default(em.namer.name(f"{label}-uncaught"))}
    return em.put(name, state, span, f"{what}: by its class")


def _to_handler(em: Emitter, handler: emit_try.Handler, error: Error, span: Span,
                what: str) -> Callable[[str], str]:
    def emit(name: str) -> str:
        cls, message, kind = error
        assign: dict[str, str] = {}
        if handler.variable:
            assign[handler.variable] = emit_try.caught_error(kind, message, cls)
        if handler.reraise:
            assign[handler.reraise] = f"{{% {cls} %}}"
        state: dict[str, Any] = {"Type": "Pass", "Next": handler.entry}
        if assign:
            state["Assign"] = assign
        return em.put(name, state, span, f"{what}, caught")
    return emit


def _to_finally(em: Emitter, frame: emit_try.TryFrame, error: Error, span: Span, what: str) -> Callable[[str], str]:
    def emit(name: str) -> str:
        assert frame.pending is not None and frame.finally_error is not None
        return em.put(name, {"Type": "Pass", "Assign": {frame.pending: pending(error)},
                             "Next": frame.finally_error}, span, f"{what} through finally")
    return emit


def _fail(em: Emitter, error: Error, span: Span, what: str) -> Callable[[str], str]:
    def emit(name: str) -> str:
        return em.put(name, {"Type": "Fail", "Error": f"{{% {error[0]} %}}", "Cause": f"{{% {error[1]} %}}"},
                      span, what)
    return emit
