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
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from durable_compile.backends.asl.emit_support import InvokeTarget, Unsupported
from durable_compile.backends.asl.module_facts import loaded_names
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

_LITERAL = re.compile(r"\{% '((?:[^'\\]|\\.)*)' %\}")
_WORD = re.compile(r"[A-Za-z0-9]+")
#: placeholder names the template already defines
_RESERVED = frozenset({"StepsFunctionArn"})


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
