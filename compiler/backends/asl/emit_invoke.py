"""The function a `context.invoke` calls, as its Task's `FunctionName` and as the SAM template needs it.

Takes the invoke's function-name expression; gives an `InvokeTarget` (emit_ops writes the Task and records
the target in `Output.invoked`, from which the template grants the state machine the right to call it).
The expression decides the form:

- a string literal, or a module constant bound to one: the name as written;
- any other expression that reads no handler local (an environment variable, a setting imported from
  elsewhere): a DefinitionSubstitutions placeholder named after the expression (`FRAUD_FN` ->
  `${FraudFn}`), which the template takes as a parameter, so the deployer names the function;
- an expression that reads handler locals: a JSONata `FunctionName` evaluated when the task runs; the
  template can then only grant invoking the account's functions by pattern (a DUR825 note says so).

`InvokeConfig(serdes_payload=..., serdes_result=...)` with a serdes other than JsonSerDes adds a task of
the steps function on either side (emit_serdes): one that gives the function, as its event, the JSON the
payload serdes writes (a text that is not JSON fails it as the invoked function would fail to read it:
InvokeError), and one that gives the handler what the result serdes reads from the function's answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_serdes, emit_try
from durable_compile.backends.asl.emit_support import LAMBDA_INVOKE, InvokeTarget, Lifted, Unsupported, jsonata_name
from durable_compile.backends.asl.module_facts import loaded_names, task_state
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

_LITERAL = re.compile(r"\{% '((?:[^'\\]|\\.)*)' %\}")
_WORD = re.compile(r"[A-Za-z0-9]+")
#: placeholder names the template already defines
_RESERVED = frozenset({"StepsFunctionArn"})


def invoke(em: Emitter, op: n.Operation, nxt: str) -> str:
    """The Task that invokes the function, between the tasks of its custom serdes, if any."""
    from durable_compile.backends.asl.emit_ops import _finish
    function = next((k.value for k in op.operands if k.name == "function_name"), None)
    payload = next((k.value for k in op.operands if k.name == "payload"), None)
    where = target(em, op, function)
    value = em.value(payload) if payload is not None else "{% null %}"
    if value is None:
        raise Unsupported(op.span, "the invoke payload has no JSONata translation")
    sent = emit_serdes.serdes_code(em, op, "serdes_payload", emit_serdes.READS_JSON)
    received = emit_serdes.serdes_code(em, op, "serdes_result", emit_serdes.READS_JSON)
    em.out.invoked.append(where)
    result = jsonata_name(op.target.id) if isinstance(op.target, ir.Name) else None
    if received is not None:  # the answer reaches the target through the result serdes
        answer = em.fresh("answer")
        nxt = emit_serdes.read_task(em, op, received, answer, result, nxt, "the result")
        result = answer
    given, into = value, em.fresh("sent")
    if sent is not None:
        value = f"{{% ${into} %}}"
    state: dict[str, Any] = {"Type": "Task", "Resource": LAMBDA_INVOKE,
                             "Arguments": {"FunctionName": where.name, "Payload": value}}
    if result is not None:
        state["Assign"] = {result: "{% $states.result.Payload %}"}
    entry = _finish(em, op, state, nxt, "invoke")
    return entry if sent is None else _payload_task(em, op, sent, given, into, entry)


def _payload_task(em: Emitter, op: n.Operation, code: str, value: str, into: str, nxt: str) -> str:
    """The task that writes the payload (the JSONata `value`) through its serdes into the variable `into`,
    for the invoke task."""
    key = f"{op.id}_sent"
    em.out.lifted.append(Lifted(key, "compute", ("_dc_payload",),
                                (f"return _serialized({code}, _dc_payload, {op.id!r})",), op.span.line, serdes=True))
    state = task_state(key, [])
    state["Arguments"]["Payload"]["vars"] = {"_dc_payload": value}
    state["Assign"] = {into: "{% $states.result.Payload %}"}
    state["Next"] = nxt
    others = emit_try.catchers(em, "invoke")  # a text that is not JSON fails the invoke
    state["Catch"] = emit_serdes.catch(em, op, others) + others
    if not state["Catch"]:
        del state["Catch"]
    return em.put(em.namer.name(f"{op.label.replace(chr(34), '')}-payload"), state, op.span,
                  f"the payload of {op.label} through the serdes")


def target(em: Emitter, op: n.Operation, expr: ir.Expr | None) -> InvokeTarget:
    """Where the invoke goes: a literal name, a placeholder, or a name computed when the task runs."""
    if expr is None:
        raise Unsupported(op.span, "context.invoke has no function name")
    if isinstance(expr, ir.Const) and isinstance(expr.value, str):
        return InvokeTarget(expr.value)
    reads_locals = bool(loaded_names([expr.code.strip()]) & em.locals)
    value = em.value(expr)
    if not reads_locals:
        literal = _LITERAL.fullmatch(value or "")
        if literal is not None and "\\" not in literal.group(1):
            return InvokeTarget(literal.group(1))  # a module constant bound to a string
        return InvokeTarget("${" + placeholder(em, expr.code) + "}", source=expr.code, line=op.span.line)
    if value is None:
        raise Unsupported(op.span, f"the invoked function name {expr.code!r} has no JSONata translation")
    em.report("DUR825", op.span, f"the invoked function is named at run time ({expr.code}); the template "
                                 "grants invoking any function of the account and region")
    return InvokeTarget(value, source=expr.code, line=op.span.line)


def placeholder(em: Emitter, code: str) -> str:
    """A DefinitionSubstitutions key for the expression (the same one each time it is invoked): its words
    in CamelCase, without `os.environ`."""
    known = {t.source: t.placeholder for t in em.out.invoked if t.placeholder}
    if code in known:
        return str(known[code])
    words = _WORD.findall(code.replace("os.environ", "").replace("getenv", ""))
    base = "".join(w[:1].upper() + w[1:].lower() for w in words) or "InvokedFunction"
    base = base if base[0].isalpha() else "Fn" + base
    taken = _RESERVED | {str(name) for name in known.values()}
    name, i = base, 2
    while name in taken:
        name, i = f"{base}{i}", i + 1
    return name
