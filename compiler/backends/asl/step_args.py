"""The arguments of a decorated step call (and an invoke's payload), evaluated where the handler does.

`context.step(fetch_rate(event["currency"]))` evaluates `event["currency"]` in orchestration code, before
the step starts: a KeyError there fails the handler at once, outside the step's retries, and no `except
StepError` sees it. The steps function runs the step body under the task's Retry and Catch, so an
argument that may fail must not be evaluated there. Such an argument becomes an assignment to a fresh
local just before the step (`_currency3 = event["currency"]`), emitted as any assignment is: in an
`Assign` (where a missing key is an undefined value, which fails the state with
States.QueryEvaluationError), or lifted into a computation task (DUR821) when it has no JSONata form or
when an enclosing `except` would catch the Python error (the task fails with it, and its Catch sees it).
The step body then reads the fresh local from the payload's `vars`. The fold moves that assignment into
the step's own `Arguments` where the failure stays before the call and outside its retriers and
catchers (fold_guards.py). Arguments that cannot fail (names, literals, attributes of names, displays of
those) stay in the call as written. An invoke's payload that may fail is evaluated before its task in
the same way (the task's catcher would take its failure for the invoked function's).

Where every failure is caught anyway (a map item, a parallel branch, a child context, a catch-all
`except`, a `finally`), the catcher must see the Python error's own type, which an `Assign`'s failure
cannot carry. There the step's task evaluates the call (`charge(event["currency"])`, the arguments and
the factory) in the steps function before the body runs, and a failure leaves the task as ARGUMENT_ERROR
(`ArgumentFailure` in the steps handler), whose message carries the Python error (`ARGUMENT_OUTPUT`
reads it back as `$states.errorOutput` reads a task's own error): the task's first retrier never
retries it, and its first Catch entry takes it where that error is caught (emit_ops.argument_catchers).
No state is added.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterator

from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

#: what a failing argument raises, by the names an `except` may catch it with: where one does, the
#: argument is computed in the steps function (the `except` then sees the Python error, not a JSONata one)
LOOKUP_ERRORS = frozenset({"KeyError", "IndexError", "LookupError", "TypeError", "AttributeError", "ValueError"})


def hoisted(op: n.Operation, fresh: Callable[[str], str], params: Callable[[str], list[str]],
            locals_: set[str]) -> tuple[n.Operation, list[n.Assign]] | None:
    """(the operation reading fresh locals instead of its arguments that may fail, the assignments of
    those locals in evaluation order), or None when every argument is evaluated as safely where it is.
    The arguments: a decorated step call's, an invoke's payload. `params` gives the parameters a
    function name takes after its context (for readable names)."""
    if op.kind == n.OpKind.INVOKE:
        return _payload(op, fresh, locals_)
    callee = op.callee
    if op.kind != n.OpKind.STEP or callee is None or callee.form != n.CallableForm.FACTORY:
        return None
    try:
        call = ast.parse(callee.code.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(call, ast.Call):
        return None
    names: dict[int, str] | None = None  # the parameters' names, looked up only when an argument may fail
    assigns: list[n.Assign] = []
    for slot, value in _argument_slots(call):
        if _cannot_fail(value, locals_):
            continue
        names = _param_names(call, params(_simple_name(call.func))) if names is None else names
        assigns.append(_assign(op, fresh(names.get(id(value), "arg")), ast.unparse(value), locals_))
        slot(ast.Name(assigns[-1].targets[0].code, ast.Load()))
    if not assigns:
        return None
    code = ast.unparse(call)
    args = tuple(ir.Expr(ast.unparse(a), op.span) for a in call.args)
    kwargs = tuple(ir.Keyword(k.arg, ir.Expr(ast.unparse(k.value), op.span)) for k in call.keywords if k.arg)
    return dataclasses.replace(op, callee=dataclasses.replace(callee, code=code, args=args, kwargs=kwargs)), assigns


Hoisted = tuple[n.Operation, list[n.Assign]]

#: the error a step's task fails with when its call's arguments fail (before the body runs)
ARGUMENT_ERROR = "StepArgumentError"
#: JSONata: the Python error that ARGUMENT_ERROR carries, as `$states.errorOutput` (`Error`, `Cause`)
ARGUMENT_OUTPUT = "$eval($eval($states.errorOutput.Cause).errorMessage)"


def checked_in_task(op: n.Operation, locals_: set[str]) -> bool:
    """Whether a step's call has arguments that may fail (evaluated by its task before the body runs,
    where every failure is caught anyway)."""
    if op.kind != n.OpKind.STEP:
        return False
    return hoisted(op, lambda name: name, lambda _: [], set(locals_)) is not None



def _payload(op: n.Operation, fresh: Callable[[str], str], locals_: set[str]) -> Hoisted | None:
    """An invoke's payload evaluated before its task, whose catcher would take its failure for the
    invoked function's."""
    payload = next((k.value for k in op.operands if k.name == "payload"), None)
    if payload is None:
        return None
    try:
        node = ast.parse(payload.code.strip(), mode="eval").body
    except SyntaxError:
        return None
    if _cannot_fail(node, locals_):
        return None
    assign = _assign(op, fresh("payload"), payload.code.strip(), locals_)
    operands = tuple(ir.Keyword(k.name, assign.targets[0]) if k.name == "payload" else k for k in op.operands)
    return dataclasses.replace(op, operands=operands), [assign]


def _assign(op: n.Operation, name: str, code: str, locals_: set[str]) -> n.Assign:
    locals_.add(name)
    return n.Assign(op.span, (ir.Name(name, op.span, name),), ir.Expr(code, op.span))


def _argument_slots(call: ast.Call) -> Iterator[tuple[Callable[[ast.expr], None], ast.expr]]:
    """(a setter that replaces the argument's value, the value) for each argument, in evaluation order
    (positional ones first, `*` and `**` values included)."""
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            yield (lambda new, a=arg: setattr(a, "value", new)), arg.value  # type: ignore[misc]
        else:
            yield (lambda new, i=i: call.args.__setitem__(i, new)), arg  # type: ignore[misc]
    for keyword in call.keywords:
        yield (lambda new, k=keyword: setattr(k, "value", new)), keyword.value  # type: ignore[misc]


def _param_names(call: ast.Call, params: list[str]) -> dict[int, str]:
    """id(argument value) -> the parameter it binds (keywords by their name), for the fresh locals' names."""
    found: dict[int, str] = {}
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if i < len(params):
            found[id(arg)] = params[i]
    for keyword in call.keywords:
        if keyword.arg:
            found[id(keyword.value)] = keyword.arg
    return found


def _simple_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _cannot_fail(node: ast.expr, locals_: set[str]) -> bool:
    """Whether evaluating `node` in Python can raise nothing: a name, a literal, an attribute of a
    name, and list/tuple displays of those, dict displays of them under literal keys."""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, int | float)
    if isinstance(node, ast.Attribute):  # a module's name, a callback's id, a caught error's message
        return isinstance(node.value, ast.Name)
    if isinstance(node, ast.List | ast.Tuple):
        return all(_cannot_fail(e, locals_) for e in node.elts)
    if isinstance(node, ast.Dict):  # keys as literals: a name could hold an unhashable value
        return all(isinstance(k, ast.Constant) and _cannot_fail(v, locals_)
                   for k, v in zip(node.keys, node.values, strict=True))
    return False
