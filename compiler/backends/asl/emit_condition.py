"""`wait_for_condition` -> the usual poller: check task -> Choice on the strategy's decision -> Wait.

Takes a wait_for_condition operation; gives the name of its first state. As in the SDK, one attempt
runs `check(state, check_ctx)`, passes the result (JSON round-tripped) and the attempt number to the
wait strategy, and either stops with that state (assigned to the target) or waits the decided delay
(at least 1 s) and checks again from it. The check and the strategy run in the steps function, in
Python, so a strategy built by `create_wait_strategy` keeps its back-off, jitter and max attempts, and
a hand-written one runs as written. The check task returns the attempt's outcome as its result,
`{"state", "done"}` plus, to poll again, the next `"attempt"` and its `"delay"`; its `Assign` keeps
that in the loop's variable, whose `state` and `attempt` the next check reads. The Choice ends the
loop on `done` (assigning the state to the target) and otherwise goes to the Wait, which waits `delay`
seconds and goes back to the check. Any error the check or the strategy raises fails the operation
(WaitForConditionError in the handler; when nothing catches it, the check task raises it itself).
A strategy assigned once to a local from `create_wait_strategy(...)` (or a config from
`WaitForConditionConfig(...)`) is not a value the machine can hold: the assignment is deferred to the
steps function, which builds it where it is used.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_serdes, emit_try, float_scope, nested_defs, tuple_shapes
from durable_compile.backends.asl.emit_support import (
    LAMBDA_INVOKE,
    STEPS_ARN,
    Escape,
    Lifted,
    Unsupported,
    jsonata_name,
)
from durable_compile.backends.asl.module_facts import bound_names
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: SDK constructors whose values are functions (or hold them): deferred to where they are used
DEFERRABLE = frozenset({"sdk:create_wait_strategy", "sdk:WaitStrategyConfig", "sdk:WaitForConditionConfig"})
CONFIG = "sdk:WaitForConditionConfig"
CONFIG_FIELDS = ("wait_strategy", "initial_state", "serdes")


def deferred_locals(handler: n.Handler) -> dict[str, ir.Expr]:
    """Locals bound exactly once, by `name = <wait strategy or condition config constructor>`."""
    bound: Counter[str] = Counter(handler.function.params)
    found: dict[str, ir.Expr] = {}
    for stmt in n.walk(handler.function.body):
        for name in bound_names(stmt):
            bound[name] += 1
        if isinstance(stmt, n.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name) \
                and isinstance(stmt.value, ir.Call) and stmt.value.qualname in DEFERRABLE:
            found[stmt.targets[0].id] = stmt.value
    used = _used_elsewhere(handler, set(found))
    return {name: value for name, value in found.items() if bound[name] == 1 and name not in used}


def _used_elsewhere(handler: n.Handler, names: set[str]) -> set[str]:
    """Which of `names` some statement reads other than as a wait_for_condition config (or its own
    assignment): such a local is a value the machine must hold, so it is not deferred."""
    if not names:
        return set()
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(names))) + r")(?!\w)")
    found: set[str] = set()
    for stmt in n.walk(handler.function.body):
        if isinstance(stmt, n.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name) \
                and stmt.targets[0].id in names:
            found.update(pattern.findall(stmt.value.code))  # a strategy built from another one
            continue
        for field_name, value in vars(stmt).items():
            if field_name == "config" and isinstance(stmt, n.Operation) and stmt.kind is n.OpKind.WAIT_FOR_CONDITION:
                continue
            for item in value if isinstance(value, tuple) else (value,):
                code = item.value.code if isinstance(item, ir.Keyword) else getattr(item, "code", None)
                if isinstance(code, str) and isinstance(item, ir.Expr | ir.Keyword | n.Callable):
                    found.update(pattern.findall(code))
    return found


def is_deferred(em: Emitter, stmt: n.Stmt) -> bool:
    """Whether `stmt` is the assignment of a deferred strategy or config (it emits no state)."""
    return isinstance(stmt, n.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name) \
        and em.deferred.get(stmt.targets[0].id) is stmt.value


def _resolve(em: Emitter, expr: ir.Expr) -> ir.Expr:
    """A deferred local stands for the constructor call it was assigned."""
    while isinstance(expr, ir.Name) and expr.id in em.deferred:
        expr = em.deferred[expr.id]
    return expr


def _config(em: Emitter, op: n.Operation) -> dict[str, ir.Expr]:
    config = _resolve(em, op.config) if op.config is not None else None
    if not isinstance(config, ir.Call) or config.qualname != CONFIG:
        shown = op.config.code if op.config is not None else "no config"
        raise Unsupported(op.span, f"wait_for_condition needs WaitForConditionConfig(...) written in place or "
                                   f"assigned once to a local for to-asl, not {shown!r}")
    fields = dict(zip(CONFIG_FIELDS, config.args, strict=False))
    fields.update({kw.name: kw.value for kw in config.kwargs})
    if "wait_strategy" not in fields or "initial_state" not in fields:
        raise Unsupported(op.span, "WaitForConditionConfig needs wait_strategy and initial_state")
    strategy = _resolve(em, fields["wait_strategy"])
    if isinstance(strategy, ir.Name) and strategy.id in em.locals:
        raise Unsupported(op.span, f"the wait strategy {strategy.code!r} is a local that is not assigned once from "
                                   "create_wait_strategy(...) and used only by wait_for_condition: write the "
                                   "strategy in place or at module level")
    return {"wait_strategy": strategy, "initial_state": fields["initial_state"],
            **({"serdes": fields["serdes"]} if "serdes" in fields else {})}


def _check_body(em: Emitter, op: n.Operation, strategy: ir.Expr, serdes: str | None) -> tuple[list[str], list[str]]:
    """The Python of one attempt: check, JSON (or serdes) round trip, the strategy's decision, returned
    as the task's result; and the locals read. With a serdes, the first attempt's state is the initial
    state through it too."""
    from durable_compile.backends.asl.emit_ops import _callee_body, _reads
    body, reads = _callee_body(em, op, "_state", "_check_ctx")
    body[-1] = "_state = " + body[-1].removeprefix("return ")
    code = ast.unparse(ast.parse(f"(\n{strategy.code.strip()}\n)", mode="eval"))  # may span lines
    defs, def_reads = nested_defs.called_defs(em, code, op.span)  # a strategy the handler defines
    lines = [*defs, "import json", "_attempt = _payload['poll']['attempt']", "_state = _payload['poll']['state']",
             *(["if _attempt == 1:", f"    _state = {emit_serdes.roundtrip(serdes, '_state', op)}"] if serdes else []),
             "_check_ctx = StepContext(_attempt)", *body,
             f"_state = {emit_serdes.roundtrip(serdes, '_state', op)}" if serdes else
             "_state = json.loads(json.dumps(_state))",
             f"_decision = ({code})(_state, _attempt)",
             "if not _decision.should_continue:",
             "    return {'state': _state, 'done': True}",
             "return {'state': _state, 'done': False, 'attempt': _attempt + 1, "
             "'delay': max(1, _decision.delay_seconds)}"]
    return lines, sorted(set(reads) | set(_reads(em, code)) | def_reads)


def wait_for_condition(em: Emitter, op: n.Operation, nxt: str) -> str:
    fields = _config(em, op)
    serdes = emit_serdes.checked(em, op, fields["serdes"].code if "serdes" in fields else None)
    body, reads = _check_body(em, op, fields["wait_strategy"], serdes)
    errors = tuple(r for r in reads if r in em.errors)
    escape = emit_try.escape(em, "condition")
    em.out.lifted.append(Lifted(op.id, "check", tuple(reads), tuple(body), op.span.line, errors,
                                escape=None if escape is None else Escape(escape), serdes=serdes is not None,
                                floats=float_scope.restored(em, reads),
                                tuples=tuple_shapes.restored(em, reads)))
    assert op.target is None or isinstance(op.target, ir.Name)  # operation() stores others via a fresh name
    label = op.label.replace('f"', "").replace('"', "")
    poll = em.fresh("poll")
    check, decide, wait = (em.namer.name(f"{label}{suffix}") for suffix in ("", "-decision", "-wait"))
    what = f"wait_for_condition {op.label}"
    em.put(wait, {"Type": "Wait", "Seconds": f"{{% ${poll}.delay %}}", "Next": check}, op.span,
           f"{what}: the delay the strategy chose")
    done: dict[str, Any] = {"Condition": f"{{% ${poll}.done %}}", "Next": nxt}
    if isinstance(op.target, ir.Name):
        done["Assign"] = {jsonata_name(op.target.id): f"{{% ${poll}.state %}}"}
    em.put(decide, {"Type": "Choice", "Choices": [done], "Default": wait}, op.span,
           f"{what}: done, or poll again after the delay")
    payload: dict[str, Any] = {"op": op.id, "poll": f"{{% ${poll} %}}"}
    if reads:
        payload["vars"] = {r: f"{{% ${jsonata_name(r)} %}}" for r in reads}
    state: dict[str, Any] = {"Type": "Task", "Resource": LAMBDA_INVOKE,
                             "Arguments": {"FunctionName": STEPS_ARN, "Payload": payload},
                             "Assign": {poll: "{% $states.result.Payload %}"}, "Next": decide}
    catch = emit_try.catchers(em, "condition", escape is not None)
    if catch:
        state["Catch"] = catch
    em.put(check, state, op.span, f"{what}: check, then the strategy's decision")
    if serdes is not None:  # a failing serdes is no WaitForConditionError: that except lets it through
        emit_serdes.with_catch(em, op, em.states[check])
    return _start(em, op, fields["initial_state"], poll, check, label)


def _start(em: Emitter, op: n.Operation, initial: ir.Expr, poll: str, check: str, label: str) -> str:
    """The state that sets the first attempt's state (the initial state, evaluated where the call is)."""
    value = em.value(initial)
    temp = None
    if value is None:
        temp = em.fresh("initial")
        value = f"{{% ${temp} %}}"
    start = em.put(em.namer.name(f"{label}-start"),
                   {"Type": "Pass", "Assign": {poll: f"{{% {{'state': {value[3:-3]}, 'attempt': 1}} %}}"},
                    "Next": check}, op.span, f"wait_for_condition {op.label}: initial state")
    return start if temp is None else em.lifted_value(initial, op.span, start, temp)
