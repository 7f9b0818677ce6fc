"""Durable operations -> states: steps and invokes are Lambda tasks, waits are Wait states,
`wait_for_callback` is a waitForTaskToken task whose submitter gets the task token as callback id.

A step's body always runs in the steps function, in Python: the payload names the operation and
carries the handler locals the body's code reads; the result is assigned to the operation's target.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import textwrap
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import (
    emit_arguments,
    emit_batch,
    emit_callback,
    emit_invoke,
    emit_serdes,
    emit_try,
    float_scope,
    nested_defs,
    step_args,
    tuple_shapes,
)
from durable_compile.backends.asl.emit_retry import retried_types, step_retry
from durable_compile.backends.asl.emit_support import (
    Lifted,
    Unsupported,
    jsonata_name,
)
from durable_compile.backends.asl.error_names import qualified_type
from durable_compile.backends.asl.module_facts import module_names
from durable_compile.backends.asl.translate_iter import caught
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

ATTEMPT = "{% $states.context.State.RetryCount + 1 %}"
DURATION_FACTORS = {"from_seconds": 1, "from_minutes": 60, "from_hours": 3600, "from_days": 86400}


def operation(em: Emitter, op: n.Operation, nxt: str) -> str:
    from durable_compile.backends.asl.emit_dispatch import emitter_for
    typed = emit_arguments.computed_first(em, op)  # the Python error, computed before the task, is routed
    hoisted = None if _in_place(em, op) and not typed else \
        step_args.hoisted(op, em.fresh, partial(_params, em), em.locals)
    if hoisted is not None:  # arguments that may fail are evaluated before the step, as the handler does
        em.place.alias((*hoisted[1], hoisted[0]), op)
        op, assigns = hoisted
        if typed or step_args.LOOKUP_ERRORS & (caught(em.tries) or frozenset()):  # an `except` sees the Python error
            start = operation(em, op, nxt)
            for assign in reversed(assigns):
                start = em.stmt_Assign(assign, start)
            return start
        return em.block((*assigns, op), nxt)
    emit = emitter_for(em, op) or {n.OpKind.STEP: _step, n.OpKind.WAIT: _wait, n.OpKind.INVOKE: emit_invoke.invoke,
                                   n.OpKind.WAIT_FOR_CALLBACK: emit_callback.wait_for_callback,
                                   n.OpKind.PARALLEL: emit_batch.batch_operation,
                                   n.OpKind.MAP: emit_batch.batch_operation}.get(op.kind)
    if emit is None:
        raise Unsupported(op.span, f"context.{op.kind.value} is not supported by to-asl yet")
    if op.target is None or isinstance(op.target, ir.Name) or op.kind in (n.OpKind.PARALLEL, n.OpKind.MAP):
        return emit(em, op, nxt)
    # `a, b = context.step(...)`, `out["x"] = context.step(...)`: the result lands in a fresh variable,
    # then an ordinary assignment stores it where the handler put it
    temp = em.fresh("result")
    em.locals.add(temp)
    store = n.Assign(op.span, (op.target,), ir.Name(temp, op.span, temp))
    return emit(em, dataclasses.replace(op, target=ir.Name(temp, op.target.span, temp)), em.stmt(store, nxt))


def _in_place(em: Emitter, op: n.Operation) -> bool:
    """Whether the operation's arguments stay where they are: every failure here is caught (a catch-all
    `except`, a `finally`, a batch branch's or child context's boundary), so a KeyError is caught as the
    step's failure would be (a separate state would only change the error type the handler reads); or
    the step sends a callback id and runs inside the waiting task (emit_callback)."""
    return em.branch is not None or caught(em.tries) is None or op.id in em.callbacks.by_submit


def _params(em: Emitter, name: str) -> list[str]:
    """The parameters the module's def `name` takes after its context (none when it is not one def)."""
    defs = em.module_functions.get(name, [])
    if len(defs) != 1:
        return []
    return [a.arg for a in [*defs[0].args.posonlyargs, *defs[0].args.args][1:]]


def _label(op: n.Operation) -> str:
    return op.label.replace('f"', "").replace('"', "")


def _assign_result(em: Emitter, op: n.Operation, state: dict[str, Any], value: str) -> None:
    if op.target is None:
        return
    assert isinstance(op.target, ir.Name)  # operation() stores any other target through a fresh name
    state["Assign"] = {jsonata_name(op.target.id): f"{{% {value} %}}"}


def _finish(em: Emitter, op: n.Operation, state: dict[str, Any], nxt: str, kind: str, raised: bool = False) -> str:
    state["Next"] = nxt
    catch = emit_try.catchers(em, kind, raised)
    if catch:
        state["Catch"] = catch
    return em.put(em.namer.name(_label(op)), state, op.span, op.kind.value)  # the name carries the label


def _step(em: Emitter, op: n.Operation, nxt: str) -> str:
    body, reads = _callee_body(em, op, "step_ctx")
    check = emit_arguments.check(em, op) if _in_place(em, op) and op.id not in em.callbacks.by_submit else None
    if check is not None:  # the call is evaluated before the body: its failure is no StepError
        body = check.body(body)
    serdes = emit_serdes.serdes_code(em, op)
    if serdes is not None:  # the handler receives the result through the step's serdes
        body[-1] = "return " + emit_serdes.roundtrip(serdes, body[-1].removeprefix("return "), op)
    errors = tuple(r for r in reads if r in em.errors)
    batches = tuple(r for r in reads if r in em.batches or r in em.batch_lists)
    names = partial(qualified_type, em.top_text, Path(em.handler.path).stem)  # as the steps function reports
    readable = partial(_module_level, em)
    retry, notes, escape = step_retry(op.settings, emit_try.escape(em, "step"), readable, names)
    for note in notes:
        em.report("DUR823", op.span, note)
    retried_as = retried_types(op.settings, names, readable) if retry else (1, ())
    em.out.lifted.append(Lifted(op.id, "step", tuple(reads), tuple(body), op.span.line, errors, batches, escape,
                                retried_as, serdes is not None, float_scope.restored(em, reads),
                                tuple_shapes.restored(em, reads)))
    from durable_compile.backends.asl.emit import task_state
    attempt = _uses_attempt(em, op) or (escape is not None and escape.attempts > 1) or bool(retried_as[1])
    state = task_state(op.id, reads, {"attempt": ATTEMPT} if attempt else None)
    if retry:
        state["Retry"] = retry if serdes is None else emit_serdes.not_retried(retry)
        state["Retry"] = state["Retry"] if check is None else check.retry(state["Retry"])
    _assign_result(em, op, state, "$states.result.Payload")
    name = _finish(em, op, state, nxt, "step", escape is not None)
    if serdes is not None:  # a failing serdes is no StepError: `except StepError` lets it through
        emit_serdes.with_catch(em, op, em.states[name])
    if check is not None:
        check.add_catch(em.states[name])
    return name



def _module_level(em: Emitter, code: str) -> bool:
    """Whether the steps function can evaluate `code` at import: it reads only the module's own names
    (which the steps function shares) and builtins, no handler local."""
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError:
        return False
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return not names & em.locals and names <= module_names(em.top_text) | set(dir(builtins))


def _uses_attempt(em: Emitter, op: n.Operation) -> bool:
    """Whether the step body reads `.attempt` (only then does the payload carry the retry count)."""
    callee = op.callee
    if callee is None or callee.form == n.CallableForm.UNRESOLVED:
        return True
    if callee.form == n.CallableForm.LAMBDA:
        return ".attempt" in callee.code
    name = (callee.function or "").rsplit(".", 1)[-1]
    return em.functions.reads_attempt(name)


def _callee_body(em: Emitter, op: n.Operation, *call_args: str) -> tuple[list[str], list[str]]:
    """Python lines that run the operation's callable with `call_args`, and the locals they read."""
    callee = op.callee
    if callee is None:
        raise Unsupported(op.span, "the operation's function could not be resolved")
    args = ", ".join(call_args)
    if callee.form == n.CallableForm.FACTORY or callee.form == n.CallableForm.LAMBDA:
        code = f"({callee.code})" if callee.form == n.CallableForm.LAMBDA else callee.code
        defs, def_reads = nested_defs.called_defs(em, code, op.span)
        return [*defs, f"return {code}({args})"], sorted(set(_reads(em, code)) | def_reads)
    if callee.form == n.CallableForm.FUNCTION and callee.function:
        prefix = em.handler.function.qualname + "."
        if not callee.function.startswith(prefix):
            return [f"return {callee.code}({args})"], []
        stmt = em.local_defs.get(callee.function)
        if stmt is None:
            raise Unsupported(em.handler.function.span, f"the nested function {callee.function} could not be found")
        source = nested_defs.source_of(em, stmt)
        defs, def_reads = nested_defs.called_defs(em, "\n".join(source), op.span, skip=callee.function)
        reads = nested_defs.free_reads(em, stmt, op.span) | def_reads | set(_reads(em, callee.code))
        return [*defs, *source, f"return {callee.code}({args})"], sorted(reads)
    raise Unsupported(op.span, f"the callable {callee.code!r} cannot be run by the steps function")


def _reads(em: Emitter, code: str) -> list[str]:
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return []
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return sorted(names & em.locals)


def _wait(em: Emitter, op: n.Operation, nxt: str) -> str:
    duration = op.settings.get("duration") if op.settings else None
    state: dict[str, Any] = {"Type": "Wait"}
    if isinstance(duration, dict) and isinstance(duration.get("seconds"), int | float):
        state["Seconds"] = int(duration["seconds"])
    else:
        operand = next((k.value for k in op.operands if k.name == "duration"), None)
        seconds = _duration_seconds(em, operand)
        if seconds is None:
            raise Unsupported(op.span, "the wait duration has no JSONata translation")
        state["Seconds"] = f"{{% {seconds} %}}"
    state["Next"] = nxt
    return em.put(em.namer.name(_label(op)), state, op.span, "wait")


def _duration_seconds(em: Emitter, expr: ir.Expr | None) -> str | None:
    if not isinstance(expr, ir.Call) or len(expr.args) != 1 or not isinstance(expr.func, ir.Attr):
        return None
    factor = DURATION_FACTORS.get(expr.func.attr)
    value = em.value(expr.args[0])
    if factor is None or value is None:
        return None
    return f"$floor(({value[3:-3]}) * {factor})" if factor != 1 else f"$floor({value[3:-3]})"
