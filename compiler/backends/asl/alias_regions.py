"""Nested code the aliasing scan (alias_scan.py) reads where it runs: operations' regions and inlined
functions that receive the context.

A child context's function and a function that receives the context run in the handler's variables
(emit_child, emit_helper inline them): their own names are renamed per call (`<qualname>#<k>.<name>`),
their parameters bound to the arguments, evaluated in the caller; a parameter of an inlined function
given a caller's variable it never assigns is that variable. A `parallel` branch and a `map` function
run in scopes of their own, repeatedly: the names they capture are copies there, tied to the caller's
(a change of one is a change the caller's names see in Python only); a map function's item is an item
of the inputs, its last parameter the inputs themselves.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator

from durable_compile.backends.asl import alias_values as v
from durable_compile.backends.asl.alias_scan import Scanner, Value
from durable_compile.backends.asl.aliasing import Event
from durable_compile.backends.asl.helper_facts import own_bound, own_locals
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

BATCHES = (n.OpKind.PARALLEL, n.OpKind.MAP)
#: operations whose callee runs in the steps function, on copies of what it captures
REMOTE = (n.OpKind.STEP, n.OpKind.WAIT_FOR_CONDITION, n.OpKind.WAIT_FOR_CALLBACK)


def operation(sc: Scanner, op: n.Operation, event: Event) -> None:
    """An operation's reads (its arguments are serialized: copies on both sides) and its regions."""
    for code in _operation_codes(op):
        sc.expression(v.parse(code), event, calls=False)
    callee = op.callee
    if op.kind is n.OpKind.CHILD_CONTEXT and callee is not None and callee.region is not None:
        region = callee.region
        params = [p for p in region.params if p != region.context]
        given = dict(zip(params, (v.parse(a.code) for a in callee.args), strict=False))
        given.update({kw.name: v.parse(kw.value.code) for kw in callee.kwargs})
        inline(sc, region, {p: sc.value(tree) for p, tree in given.items()}, {}, event)
    elif op.kind in BATCHES:
        inputs = next((k.value for k in op.operands if k.name == "inputs"), None)
        items = sc.value(v.parse(inputs.code)) if inputs is not None else Value()
        for region in n.regions(op):
            values: dict[str, Value] = {}
            params = [p for p in region.params if p != region.context]
            if op.kind is n.OpKind.MAP and params:
                values[params[0]] = Value(same=items.held, parts=items.same | items.parts | items.elements)
                if len(params) > 2:
                    values[params[2]] = items
            inline(sc, region, values, {}, event, branch=True)
    elif op.kind in REMOTE and callee is not None:
        captured(sc, op, callee, event)
    if op.target is not None:
        for local in v.names_of(v.parse(op.target.code)):
            sc.bind(local, op.span)  # a result is deserialized: a new object


def captured(sc: Scanner, op: n.Operation, callee: n.Callable, event: Event) -> None:
    """A step body (a check, a submitter) that runs in the steps function, where what it captures are
    copies: a change in place there is a change of a copy, which the caller's names see in Python only."""
    functions: list[ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef] = []
    if callee.form is n.CallableForm.LAMBDA:
        tree = v.parse(callee.code)
        functions = [tree] if isinstance(tree, ast.Lambda) else []
    elif callee.function is not None and callee.function.rpartition(".")[0] in sc.chain:  # a nested def
        name = callee.function.rpartition(".")[2]
        functions = [d for d in sc.calls.defs(name) if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)]
    sc.inlined += 1
    for function in functions:
        for free, deep in sc.calls.captured_changes(function):
            copy = f"{op.label}#{sc.inlined}.{free}"
            sc.link(copy, Value(same=set(sc.ref(free))), event)
            sc.facts.changes.append((copy, deep, event))


def helper_call(sc: Scanner, stmt: n.HelperCall, event: Event) -> None:
    """A function that receives the context, read where it is called; its `return` binds the target."""
    call = v.parse(stmt.call.code)
    region = stmt.region
    if not isinstance(call, ast.Call) or region is None:
        sc.expression(call, event)
        return
    for arg in (*call.args, *(kw.value for kw in call.keywords)):
        sc.expression(arg, event)
    given: dict[str, ast.expr] = dict(zip(region.params, call.args, strict=False))
    given.update({kw.arg: kw.value for kw in call.keywords if kw.arg is not None})
    assigned = own_bound(region)
    aliases: dict[str, str] = {}
    values: dict[str, Value] = {}
    guarded: set[str] = set()
    for param, arg in given.items():
        if param == region.context:
            continue
        if isinstance(arg, ast.Name) and param not in assigned:
            aliases[param] = sc.name(arg.id)
            continue
        values[param] = sc.value(arg)
        if isinstance(arg, ast.Name | ast.Subscript | ast.Attribute) and v.root(arg) is not None:
            guarded.add(param)  # emit_helper refuses a change of it in place (an item, or a parameter assigned)
    targets = list(v.names_of(v.parse(stmt.target.code))) if stmt.target is not None else []
    into = sc.version(targets[0], stmt.span) if len(targets) == 1 else None
    inline(sc, region, values, aliases, event, returns=into, guarded=guarded)
    for local in targets:
        sc.bind(local, stmt.span)


def inline(sc: Scanner, region: n.Function, values: dict[str, Value], aliases: dict[str, str], event: Event,
           branch: bool = False, returns: str | None = None, guarded: frozenset[str] | set[str] = frozenset()) -> None:
    """Read `region` here: parameters bound to `values` (shares evaluated in the caller) or `aliases`."""
    saved = sc.env, sc.renames, sc.scope, sc.chain
    sc.inlined += 1
    prefix = f"{region.qualname}#{sc.inlined}"
    nested = region.qualname.rpartition(".")[0] in sc.chain  # a closure: it reads the caller's names
    env = dict(sc.env) if nested else {}
    renames = dict(sc.renames) if nested else {}
    captured: dict[str, Value] = {}
    own = own_locals(region, set(region.params))
    if branch:  # a scope of its own: what it captures are copies of the caller's values
        for free in sorted(_names(region) - own):
            captured[f"{prefix}.{free}"] = Value(same=set(sc.ref(free)) if nested else {free})
            renames[free] = f"{prefix}.{free}"
    for local in own:
        renames[local] = aliases.get(local, f"{prefix}.{local}")
        if local in aliases:  # the caller's variable, as it is there
            env[renames[local]] = sc.env.get(renames[local], frozenset({renames[local]}))
        else:
            env.pop(renames[local], None)
    sc.env, sc.renames, sc.scope, sc.chain = env, renames, region.qualname, (*sc.chain, region.qualname)
    sc.calls_in.append((f"{prefix}.", event.loops))
    elsewhere = set(sc.guarded_elsewhere)
    sc.guarded_elsewhere |= {renames[p] for p in guarded}
    try:
        for version, shared in captured.items():
            sc.env[version] = frozenset({version})
            sc.link(version, shared, event)
        for param, shared in values.items():
            sc.link(sc.bind(param, region.span), shared, event)
        sc.returns.append([])
        first = sc.position + 1
        sc.body(region.body, event.loops)
        given = sc.returns.pop()
        for copy in captured:
            sc.facts.copies[copy] = (first, sc.position)
        sc.position += 1  # the value returned is the caller's once the function has ended (its finally too)
        end = Event(sc.position, event.loops, region.span, event.arms)
        for shared in given if returns is not None else ():
            sc.link(returns, shared, end)
    finally:
        sc.env, sc.renames, sc.scope, sc.chain = saved
        sc.guarded_elsewhere = elsewhere
        sc.calls_in.pop()


def _operation_codes(op: n.Operation) -> Iterator[str]:
    """What an operation reads: its callables (a lambda's body reads the names it closes over) and
    operands."""
    for c in ([op.callee] if op.callee else []) + list(op.branches):
        yield c.code
    for kw in op.operands:
        yield kw.value.code


def _names(region: n.Function) -> set[str]:
    """Every name the region's code mentions (nested regions included)."""
    found: set[str] = set()
    for stmt in n.walk(region.body):
        for code in _codes(stmt):
            tree = v.parse(code)
            if tree is not None:
                found |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return found


def _codes(node: object) -> Iterator[str]:
    """The code of every expression a statement holds (its own fields, not its blocks)."""
    if not dataclasses.is_dataclass(node):
        return
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, ir.Expr):
                yield item.code
            elif isinstance(item, n.Callable):
                yield item.code
            elif isinstance(item, ir.Keyword):
                yield item.value.code
            elif isinstance(item, n.MatchCase) and item.guard is not None:
                yield item.guard.code
