"""A call of a plain function that receives the durable context -> the function's states inline.

Takes a `HelperCall` whose body the front end lowered (a def of the module, or a nested def, called with
the context positionally or by keyword, under any parameter name); gives the name of its first state.
The helper's operations are the caller's operations (the SDK runs them in the caller's context), so its
states are named from its operations, its failures reach the caller's `except` and `finally` blocks as
they are, and a `return` assigns the call's target and continues after the call (through the helper's
own finally blocks only). Each call site has variables of its own for the helper's locals
(`<helper>_<name>`, `<helper>2_<name>`, ...), its parameters bound to the arguments, which are evaluated
in the caller first, as Python does. A parameter given a caller's variable that the helper never
assigns *is* that variable: what the helper changes in place (`out.append(...)`) the caller sees, as
in Python. Refused with DUR820, naming the line: recursion, a context stored or handed to code to-asl
cannot follow, starred arguments, `*args`/`**kwargs`, non-literal defaults, and a parameter changed in
place whose argument the state machine cannot share (an item or attribute, or a parameter also assigned).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import batch_returns, float_scope
from durable_compile.backends.asl.emit_child import partial_return
from durable_compile.backends.asl.emit_support import (
    Unsupported,
    current_renames,
    fresh_variable,
    jsonata_name,
    renamed,
)
from durable_compile.backends.asl.fold import TEMPORARY
from durable_compile.backends.asl.helper_facts import (
    context_escape,
    mutated,
    own_bound,
    own_locals,
)
from durable_compile.backends.asl.local_types import int_locals, list_locals
from durable_compile.backends.asl.module_facts import module_constants
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter


def helper_call(em: Emitter, stmt: n.HelperCall, nxt: str) -> str:
    region = stmt.region
    name = stmt.function.rsplit(".", 1)[-1]
    if region is None:
        raise Unsupported(stmt.span, f"the call of {name} is recursive ({name} is already running here): to-asl "
                                     "inlines a function that receives the durable context at each call, so it "
                                     "cannot inline a recursive one: write it as a loop")
    escape = context_escape(region)
    if escape is not None:
        raise Unsupported(escape[0], f"{name} {escape[1]}: to-asl inlines a function that receives the durable "
                                     "context, and can follow the context only into its durable calls and into "
                                     "calls of such functions of this module")
    batch_refusal = batch_returns.refusal(region, em.batches, stmt.target, name)
    if batch_refusal is not None:
        raise Unsupported(stmt.span, batch_refusal)
    if stmt.target is not None and not isinstance(stmt.target, ir.Name):
        temp = em.fresh("result")  # `out["x"] = helper(...)`: through a fresh name, then stored as written
        em.locals.add(temp)
        store = n.Assign(stmt.span, (stmt.target,), ir.Name(temp, stmt.span, temp))
        return helper_call(em, dataclasses.replace(stmt, target=ir.Name(temp, stmt.target.span, temp)),
                           em.stmt(store, nxt))
    arguments = _arguments(em, stmt, region, name)
    aliases = _aliases(em, stmt, region, name, arguments)
    target = jsonata_name(stmt.target.id) if isinstance(stmt.target, ir.Name) else None
    after = nxt
    if target is not None:  # falling off the end of the function returns None
        after = em.put(em.namer.name(f"{name}-returns-None"), {"Type": "Pass", "Assign": {target: None},
                                                               "Next": nxt}, region.span, f"{name} ends")
    names = _renames(em, region, aliases, set(arguments))
    with _scope(em, region, names, aliases):
        em.returns.append(partial_return(em, target, nxt, len(em.tries), f"{name} returns"))
        try:
            entry = em.block(region.body, after)
        finally:
            em.returns.pop()
    bound = {names[p]: v for p, v in arguments.items() if p not in aliases}
    return _bind(em, stmt, name, bound, entry)


def _arguments(em: Emitter, stmt: n.HelperCall, region: n.Function, name: str) -> dict[str, ir.Expr]:
    """The helper's parameters (its context's excepted) -> the argument expressions, as Python binds
    them: positionally, by keyword, else the literal default."""
    call = stmt.call
    if not isinstance(call, ir.Call):
        raise Unsupported(stmt.span, f"the call of {name} has starred arguments: pass them one by one")
    node = _def(em, region)
    if node is None:
        raise Unsupported(stmt.span, f"the def of {name} could not be found")
    spec = node.args
    if spec.vararg is not None or spec.kwarg is not None:
        raise Unsupported(stmt.span, f"{name} takes *args or **kwargs: to-asl binds named parameters only")
    positional = [a.arg for a in (*spec.posonlyargs, *spec.args)]
    by_keyword = [a.arg for a in (*spec.args, *spec.kwonlyargs)]
    if len(call.args) > len(positional):
        raise Unsupported(stmt.span, f"the call passes more arguments than {name} takes")
    found: dict[str, ir.Expr] = dict(zip(positional, call.args, strict=False))
    for kw in call.kwargs:
        if kw.name not in by_keyword or kw.name in found:
            raise Unsupported(stmt.span, f"the call passes {kw.name!r}, which {name} does not take once by name")
        found[kw.name] = kw.value
    defaults = _defaults(spec, region.span)
    for param in [*positional, *(a.arg for a in spec.kwonlyargs)]:
        if param not in found:
            if param not in defaults:
                raise Unsupported(stmt.span, f"the parameter {param!r} of {name} is not passed and its default "
                                             "is not a literal: pass it")
            found[param] = defaults[param]
    contexts = {em.handler.function.context, region.context}
    if region.context in found:  # else a nested def that uses the caller's context through its closure
        context = found.pop(region.context)
        if not isinstance(context, ir.Name):
            raise Unsupported(stmt.span, f"the call passes {context.code!r} to {name} as its durable context")
        contexts.add(context.id)
    if any(isinstance(v, ir.Name) and v.id in contexts for v in found.values()):
        raise Unsupported(stmt.span, f"the call passes the durable context to {name} more than once")
    return found


def _def(em: Emitter, region: n.Function) -> ast.FunctionDef | None:
    """The helper's def, read from the module (the one that starts on the region's first line)."""
    for node in em.module_functions.get(region.name, ()):
        if node.lineno == region.span.line or any(d.lineno == region.span.line for d in node.decorator_list):
            return node
    return None


def _defaults(spec: ast.arguments, span: Any) -> dict[str, ir.Expr]:
    positional = [*spec.posonlyargs, *spec.args]
    pairs = [*zip(positional[len(positional) - len(spec.defaults):], spec.defaults, strict=True),
             *((a, d) for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True) if d is not None)]
    return {a.arg: ir.Const(ast.unparse(d), span, d.value) for a, d in pairs
            if isinstance(d, ast.Constant) and not isinstance(d.value, bytes)}


def _aliases(em: Emitter, stmt: n.HelperCall, region: n.Function, name: str,
             arguments: dict[str, ir.Expr]) -> dict[str, str]:
    """Parameters that are the caller's variable they are given (the helper never assigns them) -> that
    variable's name in the caller. Any other parameter the helper changes in place is refused: Python would change the
    caller's object too, and the state machine copies values."""
    assigned = own_bound(region)
    found: dict[str, str] = {}
    for param, value in arguments.items():
        shared = isinstance(value, ir.Name) and value.id in em.locals
        if isinstance(value, ir.Name) and shared and param not in assigned:
            found[param] = value.id
            continue
        fresh = not isinstance(value, ir.Name | ir.Attr | ir.Subscript) or not _reads_caller(em, value)
        listed = isinstance(value, ir.Name) and value.id in em.typed()[0]
        line = None if fresh else mutated(region, param, list_arg=listed)
        if line is not None:
            what = "a variable it never assigns" if shared else "a variable of the caller"
            raise Unsupported(stmt.span, f"{name} changes its parameter {param!r} in place (line {line}) and is "
                                         f"given {value.code!r}: the state machine passes values, so only {what} "
                                         f"is shared with {name}; pass {what}, or return the new value")
    return found


def _reads_caller(em: Emitter, value: ir.Expr) -> bool:
    """Whether an argument names an object of the caller (a local, or an item or attribute of one)."""
    while isinstance(value, ir.Attr | ir.Subscript):
        value = value.value
    return isinstance(value, ir.Name) and value.id in em.locals


def _is_closure(region: n.Function) -> bool:
    return "." in region.qualname or region.name == "<lambda>"


def _renames(em: Emitter, region: n.Function, aliases: dict[str, str], params: set[str]) -> dict[str, str]:
    """Python name -> workflow variable inside this call: the helper's locals get variables of their own,
    aliased parameters the caller's; a nested def also reads its enclosing function's names."""
    names = dict(current_renames()) if _is_closure(region) else {}
    names.update({param: jsonata_name(caller) for param, caller in aliases.items()})
    prefix = region.name.strip("<>")[:40] or "helper"
    taken = set(em.variables)
    for local in sorted(own_locals(region, params) - set(aliases)):
        if TEMPORARY.fullmatch(local):  # unique to this call already: the lowering numbers them per call
            names[local] = local
            continue
        names[local] = fresh_variable(prefix, local, taken)
    em.variables.update(names.values())
    return names


@contextmanager
def _scope(em: Emitter, region: n.Function, names: dict[str, str], aliases: dict[str, str]) -> Iterator[None]:
    """Emit inside the helper: its names and typed locals (a parameter that is a caller's list, int, caught
    error or BatchResult is one too); the caller's try frames, loops and state names stay (its failures
    are the caller's, its loops are inside the caller's)."""
    em.local_defs  # noqa: B018 - the handler's nested defs are indexed from the whole handler, before it changes
    saved = (em.locals, em.constants, em.handler, em.typed_function, em.lists, em.ints, em.floats, em.errors,
             em.batches, em.scope)
    lists, ints, floats = em.typed()
    if _is_closure(region):  # the enclosing scope's floats it does not bind itself, and its own
        outer = current_renames()
        own = {k for k, v in names.items() if outer.get(k) != v} | own_locals(region, set(region.params))
        em.floats = float_scope.closure_floats(em, region, own) | {
            p for p, c in aliases.items() if c in floats}
    caller = em.handler.function  # a batch branch inside renames what its enclosing scopes assign, the caller's too
    em.scope = em.scope | set(current_renames().values()) | {
        jsonata_name(x) for x in own_locals(caller, set(caller.params))}
    closure = _is_closure(region)
    visible = set(names) | (em.locals if closure else set())
    em.locals = visible
    em.constants = module_constants("\n".join(em.source_lines), visible)
    em.errors = em.errors | {p for p, c in aliases.items() if c in em.errors}
    em.batches = em.batches | {p for p, c in aliases.items() if c in em.batches}
    function = dataclasses.replace(em.handler.function, context=region.context) if closure else region
    em.handler = dataclasses.replace(em.handler, function=function)
    if not closure:  # a nested def reads its enclosing function's variables too: it keeps no typed locals
        em.typed_function = region
        em.lists = frozenset(list_locals(region, visible) | {p for p, c in aliases.items() if c in lists})
        em.ints = frozenset(int_locals(region, visible) | {p for p, c in aliases.items() if c in ints})
        em.floats = float_scope.floats_of(em, region, visible, em.ints) | {
            p for p, c in aliases.items() if c in floats}
    try:
        with renamed(names):
            yield
    finally:
        em.locals, em.constants, em.handler, em.typed_function, em.lists, em.ints, em.floats, em.errors, \
            em.batches, em.scope = saved


def _bind(em: Emitter, stmt: n.HelperCall, name: str, bound: dict[str, ir.Expr], entry: str) -> str:
    """The state that passes the arguments to the parameters (none when every one is an alias)."""
    if not bound:
        return entry
    assign: dict[str, Any] = {}
    lifted: list[tuple[str, ir.Expr]] = []
    for variable, expr in bound.items():
        value = em.value(expr)
        if value is None:
            temp = em.fresh("arg")
            lifted.append((temp, expr))
            value = f"{{% ${temp} %}}"
        assign[variable] = value
    state = em.put(em.namer.name(f"Call-{name}"), {"Type": "Pass", "Assign": assign, "Next": entry}, stmt.span,
                   f"call {name}")
    for temp, expr in reversed(lifted):
        state = em.lifted_value(expr, stmt.span, state, temp)
    return state
