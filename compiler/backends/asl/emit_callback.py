"""`create_callback` + `.result()` -> one `lambda:invoke.waitForTaskToken` task.

In ASL the task token exists only inside the waiting task, so the pattern compiles when the callback
id is used only by steps between `create_callback()` and `.result()` in the same block (`.result()`
may open a `try` right after them): those steps become the task's submitter, run by the steps
function with the token as `callback_id`, and the task waits for the answer. `TimeoutSeconds` and
`HeartbeatSeconds` come from the CallbackConfig. A submitter step that fails raises StepError (its
own retry strategy retries the task on it, with a fresh token); the callback's failure or timeout
raises CallbackError where `.result()` is. Any other use of the callback (its id kept, sent by plain
code, `.result()` elsewhere or twice) is DUR820 naming the construct and its line.

`wait_for_callback` is one such task too, its submitter run by the steps function. A callback with a
serdes other than JsonSerDes hands the handler what the serdes reads from the answer: a task of the
steps function after the waiting one deserializes the answer's JSON text (emit_serdes); a
wait_for_callback's serdes also round-trips the submitter's result, as the SDK's submitter step does,
and so does a submitter step's own serdes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_serdes, emit_try, float_scope, tuple_shapes
from durable_compile.backends.asl.emit_retry import retry_for
from durable_compile.backends.asl.emit_support import LAMBDA_INVOKE, Lifted, Unsupported, jsonata_name
from durable_compile.backends.asl.module_facts import task_state
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

ALL = "States.ALL"
SUBMIT_ERROR = "StepError"  #: the error a failing submitter step raises (the steps function wraps it)
SUBMITTER_ERROR = "CallbackSubmitterError"  #: what a failing wait_for_callback submitter raises, as in the SDK
FOREVER = 31536000  #: no timeout: wait as long as a Standard execution may run


@dataclass
class Plan:
    """One create_callback, the steps that send its id, and its `.result()`."""

    create: n.Operation
    submits: list[n.Operation] = field(default_factory=list)
    result: n.Operation | None = None
    problem: tuple[Span, str] | None = None  #: why this use cannot be compiled
    state: str | None = None  #: the task's name, once emitted


@dataclass
class Plans:
    by_create: dict[str, Plan] = field(default_factory=dict)
    by_result: dict[str, Plan] = field(default_factory=dict)
    by_submit: dict[str, Plan] = field(default_factory=dict)


def plan(handler: n.Handler, source_lines: list[str]) -> Plans:
    found = Plans()
    for block in _blocks(handler.function.body):
        for i, stmt in enumerate(block):
            if isinstance(stmt, n.Operation) and stmt.kind is n.OpKind.CREATE_CALLBACK:
                one = _plan_one(stmt, block[i + 1:], source_lines)
                found.by_create[stmt.id] = one
                if one.problem is None and one.result is not None:
                    found.by_result[one.result.id] = one
                    found.by_submit.update({s.id: one for s in one.submits})
    return found


def _blocks(body: tuple[n.Stmt, ...]) -> Iterator[tuple[n.Stmt, ...]]:
    yield body
    for stmt in body:
        for block in n.blocks(stmt):
            yield from _blocks(block)
        if isinstance(stmt, n.Operation):
            for region in n.regions(stmt):
                yield from _blocks(region.body)
        if isinstance(stmt, n.HelperCall) and stmt.region is not None:  # a branch calling a nested def
            yield from _blocks(stmt.region.body)


def _mentions(stmt: n.Stmt, name: str, source_lines: list[str], skip: Span | None = None) -> bool:
    """Whether the source of `stmt` names `name` (outside `skip`, a `.result()` hoisted out of it)."""
    text = _text(stmt.span, source_lines)
    if skip is not None and _inside(skip, stmt.span):
        text = text.replace(_text(skip, source_lines), "", 1)
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None


def _inside(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _text(span: Span, source_lines: list[str]) -> str:
    lines = source_lines[span.line - 1:span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][span.column - 1:span.end_column - 1]
    return "\n".join([lines[0][span.column - 1:], *lines[1:-1], lines[-1][:span.end_column - 1]])


def _result_of(stmt: n.Stmt, name: str) -> n.Operation | None:
    """The `.result()` of callback `name` that is `stmt`, or the first statement of the try `stmt`."""
    if isinstance(stmt, n.Try) and stmt.body:
        stmt = stmt.body[0]
    if isinstance(stmt, n.Operation) and stmt.kind is n.OpKind.CALLBACK_RESULT:
        callback = next((k.value for k in stmt.operands if k.name == "callback"), None)
        if isinstance(callback, ir.Name) and callback.id == name:
            return stmt
    return None


def _plan_one(create: n.Operation, rest: tuple[n.Stmt, ...], source_lines: list[str]) -> Plan:
    found = Plan(create)
    if not isinstance(create.target, ir.Name):
        found.problem = (create.span, "to-asl needs create_callback's result in a plain name")
        return found
    name = create.target.id
    between: n.Stmt | None = None  #: a statement after a submitter step, before .result()
    for stmt in rest:
        result = _result_of(stmt, name)
        if result is not None:
            found.result = result
            if between is not None:
                found.problem = (between.span, f"line {between.span.line} runs between the step that sends "
                                               f"{name}.callback_id and {name}.result(); to-asl runs that step "
                                               "inside the waiting task, so nothing may come between them")
                return found
            return _check_after(found, stmt, rest[rest.index(stmt) + 1:], name, source_lines)
        if not _mentions(stmt, name, source_lines):
            between = between or (stmt if found.submits else None)
            continue
        if not (isinstance(stmt, n.Operation) and stmt.kind is n.OpKind.STEP):
            found.problem = (stmt.span, f"{name} is used at line {stmt.span.line} by code that is not a step: "
                                        "in ASL the callback id exists only inside the waiting task, where steps "
                                        "can send it")
            return found
        if stmt.target is not None:
            found.problem = (stmt.span, f"the result of the step that sends {name}.callback_id (line "
                                        f"{stmt.span.line}) cannot be kept: it runs inside the waiting task")
            return found
        found.submits.append(stmt)
    found.problem = (create.span, f"to-asl needs {name}.result() later in the same block as "
                                  f"create_callback (line {create.span.line}): the task token exists only in "
                                  "the task that waits")
    return found


def _check_after(found: Plan, stmt: n.Stmt, rest: tuple[n.Stmt, ...], name: str, source_lines: list[str]) -> Plan:
    """No use of the callback after its `.result()` (`stmt`, or the try that opens with it)."""
    if isinstance(stmt, n.Try):
        rest = (*stmt.body[1:], *(s for h in stmt.handlers for s in h.body), *stmt.orelse, *stmt.finalbody, *rest)
    for later in rest:
        if _mentions(later, name, source_lines, found.result.span if found.result else None):
            found.problem = (later.span, f"{name} is used again at line {later.span.line}, after its .result(): "
                                         "to-asl compiles one .result() per create_callback, in the task that waits")
            return found
    return found


def create(em: Emitter, op: n.Operation, nxt: str) -> str:
    """create_callback itself has no state: its token is made by the task that waits."""
    found = em.callbacks.by_create[op.id]
    if found.problem is not None:
        raise Unsupported(found.problem[0], found.problem[1])
    return nxt


def submit_step(em: Emitter, op: n.Operation, nxt: str) -> str:
    """A step that sends the callback id runs inside the waiting task: its failures are caught where it is."""
    found = em.callbacks.by_submit[op.id]
    if found.state is not None and op is found.submits[0]:
        task = em.states[found.state]
        step = [dict(c, ErrorEquals=[SUBMIT_ERROR]) if c["ErrorEquals"] == [ALL] else c
                for c in emit_try.catchers(em, "step")]
        task["Catch"] = step + task.get("Catch", [])
        if any(_step_serdes(em, s) for s in found.submits):  # a submitter step's serdes failing
            emit_serdes.with_catch(em, op, task)
    return nxt


def _step_serdes(em: Emitter, step: n.Operation) -> str | None:
    return emit_serdes.serdes_code(em, step)


def result(em: Emitter, op: n.Operation, nxt: str) -> str:
    found = em.callbacks.by_result.get(op.id)
    if found is None:
        raise Unsupported(op.span, f"{op.label}: to-asl compiles .result() only right after the steps that send "
                                   "the callback id, in the block of its create_callback")
    body, reads, retry = _submitter(em, found)
    key = found.create.id
    em.out.lifted.append(Lifted(key, "submit", tuple(reads), tuple(body), found.create.span.line,
                                tuple(r for r in reads if r in em.errors),
                                serdes=any(_step_serdes(em, s) for s in found.submits),
                                floats=float_scope.restored(em, reads), tuples=tuple_shapes.restored(em, reads)))
    label = found.create.label.replace('"', "")
    extra: dict[str, Any] = {"callback_token": "{% $states.context.Task.Token %}", "callback": label}
    if "serdes" not in (found.create.settings or {}):
        extra["raw"] = True  # without a JSON serdes the handler receives the callback's text
    if retry:
        extra["attempt"] = "{% $states.context.State.RetryCount + 1 %}"
    state = task_state(key, reads, extra)
    state["Resource"] = LAMBDA_INVOKE + ".waitForTaskToken"
    state.update(_timeouts(found.create.settings or {}))
    if retry:
        state["Retry"] = retry
    assert op.target is None or isinstance(op.target, ir.Name)  # operation() stores others through a name
    nxt = _answer(em, found.create, state, jsonata_name(op.target.id) if op.target is not None else None, nxt)
    catch = emit_try.catchers(em, "callback")
    if catch:
        state["Catch"] = catch
    span = Span(found.create.span.line, found.create.span.column, op.span.end_line, op.span.end_column)
    found.state = em.put(em.namer.name(label), state, span, f"callback {found.create.label}")
    return found.state


def _answer(em: Emitter, op: n.Operation, state: dict[str, Any], target: str | None, nxt: str) -> str:
    """The waiting task `state` hands the answer to `target` (through the read task of the callback's
    serdes, which is returned as its Next); `state`'s Next is set."""
    serdes = emit_serdes.serdes_code(em, op, "serdes", emit_serdes.READS_JSON)
    if serdes is not None:
        answer = em.fresh("answer")
        nxt = emit_serdes.read_task(em, op, serdes, answer, target, nxt, "the answer")
        target = answer
    if target is not None:
        state["Assign"] = {target: "{% $states.result %}"}
    state["Next"] = nxt
    return nxt


def _timeouts(settings: dict[str, Any]) -> dict[str, int]:
    timeout, heartbeat = settings.get("timeout"), settings.get("heartbeat_timeout")
    out = {"TimeoutSeconds": int(timeout["seconds"]) if isinstance(timeout, dict) and timeout.get("seconds")
           else FOREVER}
    if isinstance(heartbeat, dict) and heartbeat.get("seconds"):
        out["HeartbeatSeconds"] = int(heartbeat["seconds"])
    return out


def _submitter(em: Emitter, found: Plan) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """The submitter's Python (each step's body in order, a failure re-raised as StepError), the locals it
    reads, and the Retry of the task (the submitter step's strategy, on StepError)."""
    from durable_compile.backends.asl.emit_ops import _callee_body
    assert isinstance(found.create.target, ir.Name)
    name = found.create.target.id
    lines = ["class _Callback:", "    callback_id = _payload['callback_token']", f"{name} = _Callback()",
             "submit_ctx = StepContext(_payload.get('attempt', 1))",
             f"class {SUBMIT_ERROR}(Exception):", "    pass", "try:"]
    reads: set[str] = set()
    for step in found.submits:
        body, step_reads = _callee_body(em, step, "submit_ctx")
        body[-1] = body[-1].removeprefix("return ")
        serdes = _step_serdes(em, step)
        if serdes is not None:  # its result through its serdes, whose failure is no StepError
            body[-1] = emit_serdes.roundtrip(serdes, body[-1], step)
        lines += ["    " + line for line in body]
        reads.update(step_reads)
    lines += ["    pass", *(["except SerDesError:", "    raise"] if any(map(partial(_step_serdes, em), found.submits))
                             else []),
              "except Exception as _error:", f"    raise {SUBMIT_ERROR}(str(_error)) from _error"]
    retry: list[dict[str, Any]] = []
    for step in found.submits[:1]:
        entries, notes = retry_for(step.settings)
        if any(e["ErrorEquals"] != [ALL] for e in entries):
            notes.append("a step that sends the callback id is retried on every error (its error types are not "
                         "kept inside the waiting task)")
        for note in notes:
            em.report("DUR823", step.span, note)
        retry = [dict(e, ErrorEquals=[SUBMIT_ERROR]) for e in entries]
    if len(found.submits) > 1 and retry:
        em.report("DUR823", found.submits[1].span, "the steps that send the callback id run in one task: they are "
                                                   "retried together, with the first step's strategy")
    return lines, sorted(reads - {name}), retry


def wait_for_callback(em: Emitter, op: n.Operation, nxt: str) -> str:
    """The waiting task of a wait_for_callback, its submitter run by the steps function."""
    from durable_compile.backends.asl.emit_ops import _callee_body, _finish, _label
    body, reads = _callee_body(em, op, "callback_id", "submit_ctx")
    serdes = emit_serdes.serdes_code(em, op)  # the submitter step's serdes
    body, retry = wait_for_callback_submitter(em, op, body, serdes)
    errors = tuple(r for r in reads if r in em.errors)
    em.out.lifted.append(Lifted(op.id, "submit", tuple(reads), tuple(body), op.span.line, errors,
                                serdes=serdes is not None, floats=float_scope.restored(em, reads),
                                tuples=tuple_shapes.restored(em, reads)))
    extra: dict[str, Any] = {"callback_token": "{% $states.context.Task.Token %}",
                             "callback": f"{_label(op)} create callback id"}
    if "serdes" not in (op.settings or {}):
        extra["raw"] = True  # without a JSON serdes the handler receives the callback's text
    state = task_state(op.id, reads, extra)
    state["Resource"] = LAMBDA_INVOKE + ".waitForTaskToken"
    state.update(_timeouts(op.settings or {}))
    if retry:
        state["Retry"] = retry
    assert op.target is None or isinstance(op.target, ir.Name)  # operation() stores others through a name
    nxt = _answer(em, op, state, jsonata_name(op.target.id) if op.target is not None else None, nxt)
    name = _finish(em, op, state, nxt, "callback")
    if serdes is not None:  # the submitter's result through the serdes, whose failure is no CallbackError
        emit_serdes.with_catch(em, op, em.states[name])
    return name


def wait_for_callback_submitter(em: Emitter, op: n.Operation, body: list[str],
                                serdes: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """The Python of a wait_for_callback's submitter, whose failure raises CallbackSubmitterError with the
    original message (as the SDK does once the submitter's retries are spent), its result then passed
    through `serdes`, and the task's Retry on that error: the config's retry strategy, the SDK's default
    one when it gives none."""
    if serdes is not None:
        body = [*body[:-1], "_submitted = " + body[-1].removeprefix("return ")]
    lines = ["callback_id = _payload['callback_token']", f"class {SUBMITTER_ERROR}(Exception):", "    pass", "try:",
             *("    " + line for line in body), "except Exception as _error:",
             f"    raise {SUBMITTER_ERROR}(str(_error) or 'Callback submitter failed') from _error"]
    if serdes is not None:
        lines.append(f"return {emit_serdes.roundtrip(serdes, '_submitted', op)}")
    entries, notes = retry_for(op.settings or {})
    if any(e["ErrorEquals"] != [ALL] for e in entries):
        notes.append("a wait_for_callback submitter is retried on every error (its error types are not kept "
                     "inside the waiting task)")
    for note in notes:
        em.report("DUR823", op.span, note)
    return lines, [dict(e, ErrorEquals=[SUBMITTER_ERROR]) for e in entries]
