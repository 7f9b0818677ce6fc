"""`run_in_child_context` -> the child function's states inline in the parent's machine, names prefixed.

Takes a child-context operation whose function the front end lowered (a `@durable_with_child_context`
function called with its arguments, a def passed by name, a lambda); gives the name of its first state.
The child's parameters are bound from the arguments (evaluated in the parent, as Python does), its own
locals become variables of their own (`<child>_<name>`, since an inlined child shares the machine's
variables), and a closure reads the enclosing locals it captures. `return` assigns the operation's
target and continues after the child. A failure inside the child that the child does not catch reaches
the parent as ChildContextError, as in the SDK: the child is emitted as if wrapped in
`try: ... except Exception: raise ChildContextError(message)`. Nested children nest the same way. When
nothing in the parent catches it either, the child's tasks that run in the steps function raise
ChildContextError themselves (emit_try.escape) and a `raise` in the child is a Fail with that error.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import batch_returns, emit_finally, emit_serdes, emit_try, float_scope
from durable_compile.backends.asl.emit_support import (
    Namer,
    Unsupported,
    current_renames,
    fresh_variable,
    jsonata_name,
    renamed,
)
from durable_compile.backends.asl.jsonata import string_literal
from durable_compile.backends.asl.local_types import int_locals, list_locals
from durable_compile.backends.asl.module_facts import module_constants
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

ERROR = "ChildContextError"
_IDENT = re.compile(r"[^A-Za-z0-9_]+")


def child_context(em: Emitter, op: n.Operation, nxt: str) -> str:
    region = op.callee.region if op.callee is not None else None
    if op.callee is None or region is None:
        raise Unsupported(op.span, "the child context's function could not be resolved: pass a "
                                   "@durable_with_child_context function, a def or a lambda")
    serdes = emit_serdes.serdes_code(em, op)
    label = _label(op)
    batch_refusal = batch_returns.refusal(region, em.batches, op.target, f"the child context {label!r}")
    if batch_refusal is None and serdes is not None and True in batch_returns.returns(region, em.batches):
        batch_refusal = f"the child context {label!r} returns a BatchResult through a custom serdes"
    if batch_refusal is not None:
        raise Unsupported(op.span, batch_refusal)
    target = _target(em, op)
    after = nxt
    if target is not None and serdes is None:  # falling off the end of the child returns None
        after = em.put(em.namer.name(f"{label}-returns-None"), {"Type": "Pass", "Assign": {target: None},
                                                                "Next": nxt}, region.span, f"child {label} ends")
    boundary = _boundary(em, op, em.fresh("childerr"))
    bindings = _bindings(em, op, region)
    names = _renames(em, region, label)
    with _scope(em, region, names, label, boundary):
        into = target
        if serdes is not None:  # the child's return value reaches the parent through its serdes
            into = em.fresh("returned")
            nxt = emit_serdes.child_roundtrip(em, op, serdes, into, target, nxt)
            after = em.put(em.namer.name("returns-None"), {"Type": "Pass", "Assign": {into: None}, "Next": nxt},
                           region.span, f"child {label} ends")
        em.returns.append(partial_return(em, into, nxt))
        try:
            entry = em.block(region.body, after)
        finally:
            em.returns.pop()
    return _bind(em, op, label, bindings, names, entry)


def partial_return(em: Emitter, target: str | None, nxt: str, outer: int = 0,
                   what: str = "child returns") -> Callable[[n.Return], str]:
    """What `return` means inside the child (or an inlined helper, whose caller's try frames are the
    first `outer`): assign the operation's target, continue after the child (through the child's open
    finally blocks first)."""

    def emit(stmt: n.Return) -> str:
        through = emit_finally.return_(em, stmt, partial(_returned, em, stmt, target, nxt, what), outer)
        if through is not None:
            return through
        value = batch_returns.returned(em.batches, stmt.value) or (
            em.value(stmt.value) if stmt.value is not None else "{% null %}")
        if target is None and value is not None:
            return nxt
        name = em.namer.name(f"Return-line-{stmt.span.line}")
        if value is not None:
            return em.put(name, {"Type": "Pass", "Assign": {target: value}, "Next": nxt}, stmt.span, what)
        temp = em.fresh("result")
        assign = {target: f"{{% ${temp} %}}"} if target is not None else {}
        em.put(name, {"Type": "Pass", "Assign": assign, "Next": nxt}, stmt.span, what)
        return em.lifted_value(stmt.value, stmt.span, name, temp)  # type: ignore[arg-type]
    return emit


def _returned(em: Emitter, stmt: n.Return, target: str | None, nxt: str, what: str, result: str) -> str:
    """The child returns the value held in `result` (after its finally blocks ran)."""
    if target is None:
        return nxt
    return em.put(em.namer.name(f"Return-line-{stmt.span.line}"),
                  {"Type": "Pass", "Assign": {target: f"{{% ${result} %}}"}, "Next": nxt}, stmt.span, what)


def _label(op: n.Operation) -> str:
    return op.label.replace('f"', "").replace('"', "")


def _target(em: Emitter, op: n.Operation) -> str | None:
    if op.target is None:
        return None
    assert isinstance(op.target, ir.Name)  # operation() stores any other target through a fresh name
    return jsonata_name(op.target.id)


def _boundary(em: Emitter, op: n.Operation, errvar: str) -> emit_try.Handler:
    """What catches the errors the child does not: in the parent, a jump that raises ChildContextError
    at the child's call (to the `except` or `finally` that catches it there); when nothing does, a
    boundary whose errors leave the handler as ChildContextError (tasks of the steps function raise it
    themselves; a Fail state is emitted only for other tasks, on first use)."""
    name = f"{_label(op)}-failed"
    message = f"${errvar}.message"
    for frame in reversed(em.tries):
        for handler in frame.handlers:
            if emit_try.matches(handler.types, "child") is None:
                continue
            if handler.raises is not None:  # the parent is a child nothing catches either
                return _uncaught(em, op, errvar, handler.raises)
            # the ChildContextError names the class the child failed with, as the SDK records it
            error = emit_try.caught_error(emit_try.recorded(f"${errvar}.error_class"), message, string_literal(ERROR))
            assign = {handler.variable: error} if handler.variable else {}
            if handler.reraise:
                assign[handler.reraise] = ERROR
            caught = em.put(em.namer.name(name), {"Type": "Pass", "Assign": assign, "Next": handler.entry},
                            op.span, f"{ERROR} caught")
            return emit_try.Handler([None], caught, errvar, outer=list(em.tries))
        if frame.finally_error and frame.pending:
            recorded = emit_try.recorded(f"${errvar}.error_class")
            pending = emit_finally.pending((string_literal(ERROR), message, recorded))
            through = em.put(em.namer.name(name), {"Type": "Pass", "Assign": {frame.pending: pending},
                                                   "Next": frame.finally_error}, op.span, f"{ERROR} through finally")
            return emit_try.Handler([None], through, errvar, outer=list(em.tries))
    return _uncaught(em, op, errvar, ERROR)


def _uncaught(em: Emitter, op: n.Operation, errvar: str, error: str) -> emit_try.Handler:
    namer = em.namer  # the parent's: the Fail belongs to the parent's states

    def fail() -> str:
        cause = f"{{% ($m := ${errvar}.message; $type($m) = 'string' ? $m : '') %}}"
        return em.put(namer.name(f"{_label(op)}-failed"), {"Type": "Fail", "Error": error, "Cause": cause},
                      op.span, f"unhandled {error}")
    return emit_try.Handler([None], fail, errvar, raises=error, outer=list(em.tries))


def _bindings(em: Emitter, op: n.Operation, region: n.Function) -> dict[str, ir.Expr]:
    """The child function's parameters -> the argument expressions (evaluated in the parent)."""
    callee = op.callee
    assert callee is not None
    params = [p for p in region.params if p != region.context]
    found: dict[str, ir.Expr] = dict(zip(params, callee.args, strict=False))
    if len(callee.args) > len(params):
        raise Unsupported(op.span, f"{callee.code!r} passes more arguments than {region.name} takes")
    for kw in callee.kwargs:
        if kw.name not in params:
            raise Unsupported(op.span, f"{region.name} has no parameter {kw.name!r}")
        found[kw.name] = kw.value
    defaults = _defaults(em, region)
    for param in params:
        if param not in found:
            if param not in defaults:
                raise Unsupported(op.span, f"the parameter {param!r} of {region.name} is not passed and its "
                                           "default is not a literal")
            found[param] = defaults[param]
    return found


def _defaults(em: Emitter, region: n.Function) -> dict[str, ir.Expr]:
    """Literal defaults of the child function's parameters, read from its def."""
    defs = [d for d in em.module_functions.get(region.name, ()) if d.lineno == region.span.line
            or any(dec.lineno == region.span.line for dec in d.decorator_list)]
    if len(defs) != 1:
        return {}
    args = defs[0].args
    positional = [*args.posonlyargs, *args.args]
    pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True),
             *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None)]
    return {a.arg: ir.Const(ast.unparse(d), region.span, d.value) for a, d in pairs
            if isinstance(d, ast.Constant) and not isinstance(d.value, bytes)}


def _own_locals(region: n.Function) -> set[str]:
    """The names the child function binds itself (nested child regions excluded)."""
    from durable_compile.backends.asl.module_facts import collect_locals
    flat = dataclasses.replace(region, body=tuple(_without_regions(region.body)))
    return collect_locals(flat)


def _without_regions(body: tuple[n.Stmt, ...]) -> Iterator[n.Stmt]:
    for stmt in body:
        if isinstance(stmt, n.Operation) and stmt.callee is not None and stmt.callee.region is not None:
            yield dataclasses.replace(stmt, callee=dataclasses.replace(stmt.callee, region=None), branches=())
        elif isinstance(stmt, n.HelperCall):  # a helper's locals are its own (emit_helper)
            yield dataclasses.replace(stmt, region=None)
        else:
            yield stmt


def _is_closure(em: Emitter, region: n.Function) -> bool:
    return region.name == "<lambda>" or region.qualname.startswith(em.handler.function.qualname + ".")


def _renames(em: Emitter, region: n.Function, label: str) -> dict[str, str]:
    """Python name -> workflow variable for everything the child can read (its locals, its closure)."""
    names = dict(current_renames()) if _is_closure(em, region) else {}
    prefix = _IDENT.sub("_", label).strip("_")[:40] or "child"
    taken = set(em.variables)
    for local in sorted(_own_locals(region)):
        names[local] = fresh_variable(prefix, local, taken)
    em.variables.update(names.values())
    return names


@contextmanager
def _scope(em: Emitter, region: n.Function, names: dict[str, str], label: str,
           boundary: emit_try.Handler) -> Iterator[None]:
    """Emit inside the child: its names, its state-name prefix, its locals, and its error boundary."""
    saved = (em.locals, em.constants, em.namer, em.tries, em.loops, em.handler)
    typed = (em.typed_function, em.lists, em.ints, em.floats)
    if _is_closure(em, region):
        em.floats = float_scope.closure_floats(em, region, _own_locals(region))
    visible = set(names) | (em.locals if _is_closure(em, region) else set())
    em.locals = visible
    em.constants = module_constants("\n".join(em.source_lines), visible)
    em.namer = Namer(em.namer.used, f"{em.namer.prefix}{label}-")
    em.tries = [emit_try.TryFrame([boundary])]
    em.loops = []
    function = dataclasses.replace(em.handler.function, context=region.context) if _is_closure(em, region) \
        else region
    em.handler = dataclasses.replace(em.handler, function=function)
    if function is region:  # a closure reads its parent's variables too: it keeps no typed locals
        em.typed_function = region
        em.lists = frozenset(list_locals(region, visible))
        em.ints = frozenset(int_locals(region, visible))
        em.floats = float_scope.floats_of(em, region, visible, em.ints)
    try:
        with renamed(names):
            yield
    finally:
        em.locals, em.constants, em.namer, em.tries, em.loops, em.handler = saved
        em.typed_function, em.lists, em.ints, em.floats = typed


def _bind(em: Emitter, op: n.Operation, label: str, bindings: dict[str, ir.Expr], names: dict[str, str],
          entry: str) -> str:
    """The state that passes the arguments to the child's parameters (none when there are none)."""
    if not bindings:
        return entry
    assign: dict[str, Any] = {}
    lifted: list[tuple[str, ir.Expr]] = []
    for param, expr in bindings.items():
        value = em.value(expr)
        if value is None:
            temp = em.fresh("arg")
            lifted.append((temp, expr))
            value = f"{{% ${temp} %}}"
        assign[names[param]] = value
    state = em.put(em.namer.name(label), {"Type": "Pass", "Assign": assign, "Next": entry}, op.span,
                   f"child context {op.label}")
    for temp, expr in reversed(lifted):
        state = em.lifted_value(expr, op.span, state, temp)
    return state

