"""The float locals of the scope being emitted (the handler, or an inlined helper or child context).

Takes the emitter's module facts (its source, its defs, its constants) and one lowered function with its
visible locals and int locals; gives the locals that always hold a float (local_types.float_locals with
the rules of float_exprs.py). The module's float literals (`RATE = 1.5`) count as floats where no local
hides them. A step result counts when the step is a lambda whose body is a float there, or a module
function every path of which returns a float (its code is read: an annotation proves nothing), and no
custom serdes reads the result back.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from durable_compile.backends.asl.float_exprs import FloatFacts, returns_float
from durable_compile.backends.asl.local_types import float_locals, parsed
from durable_compile.backends.asl.module_facts import module_top
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter


def facts(source_text: str, visible: AbstractSet[str], ints: AbstractSet[str]) -> FloatFacts:
    """The float inference facts of a scope: the builtins and `math` names no local or module name hides."""
    top = module_top(source_text)
    hidden = set(visible) | set(top.bound)
    builtins = FloatFacts().builtins - hidden
    modules = {name for name, origin in top.origins.items() if origin == "math" and name not in visible}
    members = {name for name, origin in top.origins.items()
               if origin is not None and origin.startswith("math.") and name not in visible}
    return FloatFacts(frozenset(ints), frozenset(builtins), frozenset(modules), frozenset(members))


def floats_of(em: Emitter, fn: n.Function, visible: set[str], ints: AbstractSet[str],
              given: AbstractSet[str] = frozenset()) -> frozenset[str]:
    """The locals of `fn` that always hold a float (`given`: the floats of its enclosing scope it reads)."""
    known = facts(em.top_text, visible, ints)
    functions: dict[str, bool] = {}  #: step function name -> whether it always returns a float

    def step_gives_float(op: n.Operation, typed: set[str]) -> bool:
        callee = op.callee
        plain = op.config is None or bool(op.settings) and "serdes" not in op.settings
        if op.kind != n.OpKind.STEP or callee is None or not plain:
            return False
        if callee.lam is not None:
            return known.is_float(parsed(callee.lam.body.code), typed - set(callee.lam.params))
        if callee.function is None:
            return False
        name = callee.function.rsplit(".", 1)[-1]
        if name not in functions:
            defs = [d for d in em.functions.defs(name) if isinstance(d, ast.FunctionDef)]
            functions[name] = len(defs) == 1 and returns_float(defs[0], known)
        return functions[name]
    constants = {name for name, value in em.constants.items() if value.type == "float" and name not in visible}
    return frozenset(float_locals(fn, visible, known, step_gives_float, set(given) | constants))


def closure_floats(em: Emitter, region: n.Function, own: AbstractSet[str]) -> frozenset[str]:
    """The floats of a closure (a nested def or lambda run as a child context or helper): its own, and
    those of the enclosing scope (`em.typed()` before the closure's scope is entered) that it does not
    bind itself. The enclosing scope's inference saw the closure's bindings too (n.walk enters regions)."""
    outer = em.typed()[2] - set(own)
    return floats_of(em, region, set(own), frozenset(), outer)


def restored(em: Emitter, reads: Iterable[str]) -> tuple[str, ...]:
    """The names of `reads` that hold a float where the emitter is: the steps function makes them floats
    again (JSON carries the float `5.0` as `5`)."""
    floats = em.typed()[2]
    return tuple(r for r in reads if r in floats)
