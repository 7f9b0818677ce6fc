"""Recognise durable calls and build `Operation`s: argument binding, callables, names and configs.

A durable call is a method of the SDK's `DurableContext` called on a name bound to a context in the
current region, or `.result()` on a name bound to a `create_callback` result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import libcst as cst

from durable_compile.discover import FunctionInfo, Role
from durable_compile.ir import exprs as ir
from durable_compile.ir.lower import configs
from durable_compile.ir.lower.env import Env
from durable_compile.ir.lower.exprs import lower_expr
from durable_compile.ir.nodes import Callable, CallableForm, Function, Operation, OpKind

SIGNATURES: dict[str, tuple[str, ...]] = {
    "step": ("func", "name", "config"),
    "wait": ("duration", "name"),
    "create_callback": ("name", "config"),
    "wait_for_callback": ("submitter", "name", "config"),
    "wait_for_condition": ("check", "config", "name"),
    "parallel": ("functions", "name", "config"),
    "map": ("inputs", "func", "name", "config"),
    "invoke": ("function_name", "payload", "name", "config"),
    "run_in_child_context": ("func", "name", "config"),
}
KINDS = {m: OpKind(m) for m in SIGNATURES if m != "run_in_child_context"} | {
    "run_in_child_context": OpKind.CHILD_CONTEXT,
}
CALLEE = {"func", "submitter", "check"}
ORCHESTRATION_CALLEES = {OpKind.CHILD_CONTEXT, OpKind.MAP}
FACTORY_ROLES = {Role.STEP, Role.CHILD, Role.SUBMITTER, Role.BRANCH}


@dataclass
class Scope:
    """What the lowering of one region knows about its names."""

    qualname: str  #: the function being lowered (for resolving nested defs)
    contexts: set[str]  #: names bound to a DurableContext
    callbacks: dict[str, str] = field(default_factory=dict)  #: names bound to a create_callback -> its label


def durable_method(call: cst.Call, scope: Scope) -> str | None:
    """The durable method a call invokes ("step", ..., "result"), or None when it is not durable."""
    func = call.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    owner, method = func.value.value, func.attr.value
    if owner in scope.contexts and method in SIGNATURES:
        return method
    if owner in scope.callbacks and method == "result" and not call.args:
        return "result"
    return None


HELPER = "<helper>"  #: a project function called with the context: its operations are lowered with it


def call_kind(call: cst.Call, scope: Scope, env: Env) -> tuple[str, tuple[str, str] | None] | None:
    """What a call starts: a durable method ("step", ..., "result"), or `HELPER` with the helper's qualname
    and the parameter that receives the context; None for any other call."""
    method = durable_method(call, scope)
    if method is not None:
        return method, None
    helper = helper_context_param(call, scope, env)
    return (HELPER, helper) if helper is not None else None


def helper_context_param(call: cst.Call, scope: Scope, env: Env) -> tuple[str, str] | None:
    """(helper qualname, its parameter that receives a context) when `call` passes a context to a
    plain project function, e.g. `charge(context, order)`; None otherwise."""
    if not isinstance(call.func, cst.Name) or not scope.contexts:
        return None
    fn = env.info.resolve(call.func.value, scope.qualname)
    if fn is None or fn.role is not Role.PLAIN:
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for index, arg in enumerate(positional):
        if isinstance(arg.value, cst.Name) and arg.value.value in scope.contexts and index < len(fn.params):
            return fn.qualname, fn.params[index]
    for arg in call.args:
        if arg.keyword is not None and isinstance(arg.value, cst.Name) and arg.value.value in scope.contexts:
            return fn.qualname, arg.keyword.value
    return closure_context(fn, scope, env)


def closure_context(fn: FunctionInfo, scope: Scope, env: Env) -> tuple[str, str] | None:
    """(qualname, the enclosing context's name) when `fn` is a nested def that calls durable methods on a
    context of the calling scope through its closure (`def process(item): return context.step(...)`)."""
    if fn.parent is None:
        return None
    text = env.raw_code(fn.node)
    params = fn.node.params
    own = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for name in sorted(scope.contexts - own):
        if _DURABLE_USE(name).search(text) and not _ASSIGNED(name).search(text):
            return fn.qualname, name
    return None


def _DURABLE_USE(name: str) -> re.Pattern[str]:  # noqa: N802 - a pattern factory
    return re.compile(rf"(?<![\w.]){re.escape(name)}\s*\.\s*(?:{'|'.join(SIGNATURES)})\s*\(")


def _ASSIGNED(name: str) -> re.Pattern[str]:  # noqa: N802 - a pattern factory
    return re.compile(rf"(?<![\w.]){re.escape(name)}\s*(?::[^=\n]*)?=(?!=)|\b(?:nonlocal|global)\s[^\n]*\b"
                      rf"{re.escape(name)}\b")


def bind(call: cst.Call, method: str) -> dict[str, cst.BaseExpression]:
    """Map the call's arguments onto the method's parameter names."""
    params = SIGNATURES[method]
    bound: dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for name, arg in zip(params, positional, strict=False):
        bound[name] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            bound[arg.keyword.value] = arg.value
    return bound


def build(call: cst.Call, method: str, target: ir.Expr | None, scope: Scope, env: Env,
          lower_region: RegionLowerer) -> Operation:
    """The `Operation` for one durable call (its nested regions lowered through `lower_region`)."""
    span, op_id = env.span(call), env.next_op_id()
    if method == "result":
        owner = call.func.value if isinstance(call.func, cst.Attribute) else call.func
        callback = ir.Keyword("callback", lower_expr(owner, env))
        created = scope.callbacks.get(owner.value) if isinstance(owner, cst.Name) else None
        label = f"{created or env.code(owner)} result"
        return Operation(span, op_id, OpKind.CALLBACK_RESULT, "", None, label, target, operands=(callback,))
    kind, args = KINDS[method], bind(call, method)
    context = call.func.value.value if isinstance(call.func, cst.Attribute) and isinstance(
        call.func.value, cst.Name) else ""
    name = lower_expr(args["name"], env) if "name" in args else None
    callee = _callee(args, kind, scope, env, lower_region)
    branches = _branches(args.get("functions"), scope, env, lower_region) if kind is OpKind.PARALLEL else ()
    operands = tuple(ir.Keyword(k, lower_expr(v, env)) for k, v in args.items()
                     if k not in CALLEE | {"name", "config", "functions"})
    config = lower_expr(args["config"], env) if "config" in args else None
    settings = _settings(config, operands, env)
    label = _label(name, callee, kind)
    return Operation(span, op_id, kind, context, name, label, target, callee, branches, operands, config,
                     settings)


def _settings(config: ir.Expr | None, operands: tuple[ir.Keyword, ...], env: Env) -> dict[str, object]:
    """The evaluated config, plus the wait duration, which is an operand rather than a config."""
    value = configs.evaluate(config, env) if config is not None else {}
    settings: dict[str, object] = value if isinstance(value, dict) else {"value": value}
    for operand in operands:
        if operand.name == "duration":
            settings = {**settings, "duration": configs.evaluate(operand.value, env)}
    return settings


class RegionLowerer(Protocol):
    """Lowers the body of an orchestration callable (the statement lowering implements it)."""

    def lambda_region(self, node: cst.Lambda, scope: Scope, env: Env) -> Function | None: ...

    def def_region(self, qualname: str, env: Env) -> Function | None: ...


def _label(name: ir.Expr | None, callee: Callable | None, kind: OpKind) -> str:
    if isinstance(name, ir.Const) and isinstance(name.value, str):
        return name.value
    if name is not None:
        return name.code
    if callee is not None and callee.form is CallableForm.FACTORY and callee.function:
        return callee.function.rsplit(".", 1)[-1]
    return kind.value


def _callee(args: dict[str, cst.BaseExpression], kind: OpKind, scope: Scope, env: Env,
            lower_region: RegionLowerer) -> Callable | None:
    for key in ("func", "submitter", "check"):
        if key in args:
            orchestration = kind in ORCHESTRATION_CALLEES
            return make_callable(args[key], scope, env, lower_region if orchestration else None)
    return None


def _branches(expr: cst.BaseExpression | None, scope: Scope, env: Env,
              lower_region: RegionLowerer) -> tuple[Callable, ...]:
    if expr is None:
        return ()
    if isinstance(expr, cst.List | cst.Tuple):
        return tuple(make_callable(e.value, scope, env, lower_region) for e in expr.elements)
    return (make_callable(expr, scope, env, None),)


def make_callable(expr: cst.BaseExpression, scope: Scope, env: Env,
                  lower_region: RegionLowerer | None) -> Callable:
    """Classify what an operation runs; lower its body too when `lower_region` is given."""
    span, code = env.span(expr), env.code(expr)
    if isinstance(expr, cst.Lambda):
        lam = lower_expr(expr, env)
        region = lower_region.lambda_region(expr, scope, env) if lower_region else None
        return Callable(CallableForm.LAMBDA, code, span, lam=lam if isinstance(lam, ir.Lambda) else None,
                        region=region)
    if isinstance(expr, cst.Call):
        return _call_callable(expr, scope, env, lower_region)
    if isinstance(expr, cst.Name):
        fn = env.info.resolve(expr.value, scope.qualname)
        if fn is not None:
            region = lower_region.def_region(fn.qualname, env) if lower_region else None
            deco = fn.role.value if fn.role is not Role.PLAIN else None
            return Callable(CallableForm.FUNCTION, code, span, function=fn.qualname, decorator=deco,
                            region=region)
    return Callable(CallableForm.UNRESOLVED, code, span)


def _call_callable(expr: cst.Call, scope: Scope, env: Env, lower_region: RegionLowerer | None) -> Callable:
    span, code = env.span(expr), env.code(expr)
    qualname = env.info.imports.qualify(expr.func)
    if qualname == "sdk:ParallelBranch" and expr.args:
        inner = make_callable(expr.args[0].value, scope, env, lower_region)
        name_arg = next((a.value for a in expr.args[1:] if a.keyword is None or a.keyword.value == "name"), None)
        name = name_arg.evaluated_value if isinstance(name_arg, cst.SimpleString) else None
        return Callable(inner.form, code, span, inner.function, inner.args, inner.kwargs, inner.lam,
                        inner.decorator, name if isinstance(name, str) else None, inner.region)
    fn = env.info.resolve(expr.func.value, scope.qualname) if isinstance(expr.func, cst.Name) else None
    if fn is None or fn.role not in FACTORY_ROLES:
        return Callable(CallableForm.UNRESOLVED, code, span)
    args = tuple(lower_expr(a.value, env) for a in expr.args if a.keyword is None)
    kwargs = tuple(ir.Keyword(a.keyword.value, lower_expr(a.value, env)) for a in expr.args if a.keyword)
    region = lower_region.def_region(fn.qualname, env) if lower_region and fn.role in (Role.CHILD, Role.BRANCH) \
        else None
    return Callable(CallableForm.FACTORY, code, span, fn.qualname, args, kwargs, decorator=fn.role.value,
                    name=_branch_name(fn.decorator), region=region)


def _branch_name(deco: cst.Decorator | None) -> str | None:
    if deco is None or not isinstance(deco.decorator, cst.Call):
        return None
    for arg in deco.decorator.args:
        if (arg.keyword is None or arg.keyword.value == "name") and isinstance(arg.value, cst.SimpleString):
            value = arg.value.evaluated_value
            return value if isinstance(value, str) else None
    return None
