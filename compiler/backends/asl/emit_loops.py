"""Loops -> states: `while` and `for` become a Choice at the loop head with the body jumping back to it;
`break` and `continue` are plain jumps to the frames pushed here (`Loop` in emit_support.py)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from durable_compile.backends.asl import batch_lists
from durable_compile.backends.asl.batch import Raw, entries
from durable_compile.backends.asl.emit_support import (
    Loop,
    Unsupported,
    describe,
    jsonata_name,
    parse_expr,
    target_names,
)
from durable_compile.backends.asl.jsonata import render, wrap
from durable_compile.backends.asl.translate import NotTranslatable
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter


def while_(em: Emitter, stmt: n.While, nxt: str) -> str:
    """`while`: a Choice at the head; the body jumps back to it, `break` to what follows the loop."""
    head = em.namer.name("While-" + (describe(stmt.test.code) or f"line-{stmt.span.line}"))
    em.loops.append(Loop(nxt, head))
    body = em.block(stmt.body, head)
    em.loops.pop()
    test = em.condition(stmt.test)
    if test is None:
        raise Unsupported(stmt.span, f"the loop test {stmt.test.code!r} has no JSONata translation")
    choice = {"Type": "Choice", "Choices": [{"Condition": test, "Next": body}],
              "Default": em.block(stmt.orelse, nxt)}
    return em.put(head, choice, stmt.span, f"while {stmt.test.code}"[:120])

def for_(em: Emitter, stmt: n.For, nxt: str) -> str:
    """`for`: the items and an index are assigned once; a Choice compares the index with the count and a
    Pass assigns the loop target before the body (dict iteration reads the keys, as Python does)."""
    names = target_names(stmt.target)
    if names is None:
        raise Unsupported(stmt.span, f"the loop target {stmt.target.code!r} is not a name or tuple of names")
    items, index = em.fresh("items"), em.fresh("i")
    base = "For-each-" + (describe(stmt.target.code) or f"line-{stmt.span.line}")
    head = em.namer.name(base)
    em.loops.append(Loop(nxt, head))
    body = em.block(stmt.body, head)
    em.loops.pop()
    element = f"${items}[${index}]"
    if len(names) == 1 and isinstance(stmt.target, ir.Name):
        assign = {jsonata_name(names[0]): f"{{% {element} %}}"}
    else:
        assign = {jsonata_name(v): f"{{% ($e := {element}; $e[{i}]) %}}" for i, v in enumerate(names)}
    assign[index] = f"{{% ${index} + 1 %}}"
    item = em.put(em.namer.name(f"{base}-next"),
                    {"Type": "Pass", "Assign": assign, "Next": body}, stmt.span, f"for {stmt.target.code}")
    choice = {"Type": "Choice", "Choices": [{"Condition": f"{{% ${index} < $count(${items}) %}}", "Next": item}],
              "Default": em.block(stmt.orelse, nxt)}
    em.put(head, choice, stmt.span, f"for ... in {stmt.iter.code}"[:120])
    iterated = _iterated(em, stmt.iter)
    init = em.namer.name(f"{base}-start")
    if iterated is None:
        em.put(init, {"Type": "Pass", "Assign": {index: 0}, "Next": head}, stmt.span, "loop start")
        return em.lifted_value(ir.Expr(f"list({stmt.iter.code})", stmt.iter.span), stmt.span, init, items)
    return em.put(init, {"Type": "Pass", "Assign": {items: iterated, index: 0}, "Next": head}, stmt.span,
                  "loop start")


def _iterated(em: Emitter, expr: ir.Expr) -> str | None:
    """The JSONata array of what Python's `for` visits: a list's items, a dict's keys; any other value
    fails, as in Python (a string too: the state machine does not iterate characters). None when there
    is no translation, or when an enclosing `except` would catch that failure: the loop then iterates a
    list the steps function builds."""
    translator = em.translator()
    try:
        node = parse_expr(expr)
        if isinstance(node, ast.Name) and node.id in em.batch_lists:  # its JSON items (batch_lists.py)
            return wrap(translator.names[node.id].expr)
        if (found := batch_lists.listed(node, em.batches)) is not None:  # the same JSON, from the BatchResult
            return wrap(Raw(entries(render(translator.names[found[0]].expr), found[1])))
        return wrap(translator.items_of(translator.translate(node), node))
    except NotTranslatable:
        return None
