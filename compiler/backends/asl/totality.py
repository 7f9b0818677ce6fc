"""Which JSONata expressions can neither fail nor come out undefined, whatever the variables hold.

Takes the text of one expression; gives a yes/no. The fold pass asks this before it moves an
expression under a state's `Retry`/`Catch` (a Task's `Assign` or `Arguments`): there a failure would be
retried or caught, where in its original Pass or Succeed state it failed the execution. An expression
qualifies when it is built only from literals, variables, field paths, index predicates, array and
object constructors (literal keys), blocks, `=`/`!=`/`and`/`or`/`&`, conditionals and a few functions that
accept any value (`$filter`, `$map`, `$reduce` with a function whose body cannot fail; `$count` is a
number); and when its top-level value cannot be undefined (Step Functions rejects an undefined field
value, while object and array constructors drop undefined members). The answer is conservative: "no"
only costs a missed simplification. `$states.input`, `.result`, `.errorOutput`, `.context` are defined
where they are read, and so is `$states.result.Payload`: the compiled machine's tasks are Lambda
invokes, whose result always has a Payload (null when the function returns None).
Fields of `$states.input` are defined where the caller knows the input's shape (`inputs`: a Map
iteration's input has its ItemSelector's fields).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jsonata

#: functions that accept any JSON value: name -> whether the result is defined (True: always,
#: "args": when some argument is)
TOTAL_FUNCTIONS: dict[str, bool | str] = {
    "append": "args", "count": True, "exists": True, "boolean": True, "not": True, "type": "args",
    "keys": False, "string": "args", "filter": False, "map": False, "reduce": False,
}
_EQUALITY = frozenset({"=", "!=", "and", "or", "&"})
_ARITHMETIC = frozenset({"+", "-", "*", "<", "<=", ">", ">="})
_NUMBERS = " numbers"  #: key of the numeric variables in the environment (not a variable name)
_INPUTS = " inputs"  #: key of the defined `$states.input` fields in the environment
_UNSUPPORTED = ("stages", "group", "focus", "index", "tuple", "keep_array_stage")


@lru_cache(maxsize=8192)
def total_and_defined(text: str, numbers: frozenset[str] = frozenset(), inputs: frozenset[str] = frozenset()) -> bool:
    """True when evaluating `text` never raises and never gives undefined; `numbers` are the workflow
    variables that always hold a number (so `+`, `-`, `*` and comparisons of them cannot fail);
    `inputs` the fields of `$states.input` that are always defined where `text` is evaluated."""
    try:
        tree = jsonata.Jsonata(text).ast
    except Exception:  # the parser raises JException, RuntimeError or RecursionError on odd input
        return False
    try:
        ok, defined = _check(tree, {_NUMBERS: numbers, _INPUTS: inputs})  # type: ignore[dict-item]
    except _Partial:
        return False
    return ok and defined


@lru_cache(maxsize=8192)
def never_undefined(text: str, numbers: frozenset[str] = frozenset()) -> bool:
    """True when evaluating `text` either fails or gives a value (never undefined)."""
    try:
        return _check(jsonata.Jsonata(text).ast, {_NUMBERS: numbers})[1]  # type: ignore[dict-item]
    except Exception:  # a parse error, or a construct the analysis does not model (_Partial)
        return False


class _Partial(Exception):
    """A construct the analysis does not model."""


def _check(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    """(cannot fail, cannot be undefined) of one AST node; `bound` maps block variables to definedness."""
    if any(getattr(node, field, None) for field in _UNSUPPORTED):
        raise _Partial
    kind = node.type
    check = _CHECKS.get(kind)
    if check is None:
        raise _Partial
    ok, defined = check(node, bound)
    for predicate in getattr(node, "predicate", None) or ():
        if predicate.type != "filter":
            raise _Partial
        ok = ok and _check(predicate.expr, bound)[0]
        defined = False
    return ok, defined


def _literal(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    return True, True


def _name(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    return True, False  # a field of the context value, which may be missing


def _variable(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    name = str(node.value)
    if name == "":
        return True, False
    return True, bound.get(name, True)  # workflow variables are assigned before they are read


def _path(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    steps = list(node.steps)
    ok = _check(steps[0], bound)[0]
    for step in steps[1:]:
        if step.type != "name":
            raise _Partial
        ok = ok and _check(step, bound)[0]
    names = [str(step.value) for step in steps[1:]]
    reserved = steps[0].type == "variable" and steps[0].value == "states" and "states" not in bound and (
        len(names) == 1 or names == ["result", "Payload"] or (
            len(names) == 2 and names[0] == "input" and names[1] in bound.get(_INPUTS, frozenset())))  # type: ignore[operator]
    return ok, reserved or (len(steps) == 1 and _check(steps[0], bound)[1])


def _unary(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    if node.value == "[":
        return all(_check(e, bound)[0] for e in node.expressions), True
    if node.value == "{":
        pairs = list(node.lhs_object or ())
        keys_ok = all(pair[0].type == "string" for pair in pairs)
        return keys_ok and all(_check(pair[1], bound)[0] for pair in pairs), True
    return _numeric(node.expression, bound), True  # unary minus fails on non-numbers


def _binary(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    if node.value in _ARITHMETIC:
        return _numeric(node.lhs, bound) and _numeric(node.rhs, bound), True
    if node.value not in _EQUALITY:
        return False, False
    return _check(node.lhs, bound)[0] and _check(node.rhs, bound)[0], True


def _numeric(node: Any, bound: dict[str, Any]) -> bool:
    """Always a number: a number literal, a numeric workflow variable (not rebound in a block), or
    `+`, `-`, `*`, unary minus of numbers."""
    if getattr(node, "predicate", None) or getattr(node, "stages", None):
        return False
    if node.type == "number":
        return True
    if node.type == "variable":
        return str(node.value) not in bound and str(node.value) in bound[_NUMBERS]
    if node.type == "binary" and node.value in ("+", "-", "*"):
        return _numeric(node.lhs, bound) and _numeric(node.rhs, bound)
    if node.type == "function" and getattr(node.procedure, "type", None) == "variable" and \
            node.procedure.value == "count":
        return "count" not in bound and _function(node, bound)[0]
    return node.type == "unary" and node.value == "-" and _numeric(node.expression, bound)


def _condition(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    test_ok = _check(node.condition, bound)[0]
    then_ok, then_defined = _check(node.then, bound)
    if node._else is None:
        return test_ok and then_ok, False
    else_ok, else_defined = _check(node._else, bound)
    return test_ok and then_ok and else_ok, then_defined and else_defined


def _block(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    inner = dict(bound)
    ok, defined = True, False
    for expr in node.expressions:
        if expr.type == "bind":
            if expr.lhs.type != "variable":
                raise _Partial
            value_ok, value_defined = _check(expr.rhs, inner)
            inner[str(expr.lhs.value)] = value_defined
            ok, defined = ok and value_ok, value_defined
        else:
            expr_ok, defined = _check(expr, inner)
            ok = ok and expr_ok
    return ok, defined


def _function(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    procedure = node.procedure
    name = str(getattr(procedure, "value", ""))
    if procedure.type != "variable" or name in bound or name not in TOTAL_FUNCTIONS:
        return False, False
    results = [_check(arg, bound) for arg in node.arguments]
    ok = all(r[0] for r in results)
    rule = TOTAL_FUNCTIONS[name]
    return ok, any(r[1] for r in results) if rule == "args" else bool(rule)


def _lambda(node: Any, bound: dict[str, bool]) -> tuple[bool, bool]:
    """A function value (called by `$filter`, `$map`, `$reduce` with defined values): its body's `ok`.
    A call in tail position of a function body parses as a thunk: the call itself."""
    if getattr(node, "thunk", False):
        return _check(node.body, bound)
    if getattr(node, "signature", None):
        raise _Partial
    inner = dict(bound)
    inner.update({str(arg.value): True for arg in node.arguments or ()})
    return _check(node.body, inner)[0], True


_CHECKS = {
    "string": _literal, "number": _literal, "value": _literal, "name": _name,
    "variable": _variable, "path": _path, "unary": _unary, "binary": _binary, "condition": _condition,
    "block": _block, "function": _function, "lambda": _lambda,
}


_NUMERIC_CANDIDATE = re.compile(r"[\s0-9$A-Za-z_+\-*().]*")


def numeric_variables(assignments: Mapping[str, list[object]]) -> frozenset[str]:
    """The variables every assignment of which gives a number: a number literal, or `+`, `-`, `*` of
    number literals and such variables (the largest such set). `assignments`: every value each
    variable is assigned anywhere in the machine."""
    numbers = {var for var, values in assignments.items() if all(map(_maybe_numeric, values))}
    while True:
        frozen = frozenset(numbers)
        keep = {var for var in numbers if all(_numeric_value(v, frozen) for v in assignments[var])}
        if keep == numbers:
            return frozen
        numbers = keep


def _maybe_numeric(value: object) -> bool:
    """A cheap filter before parsing: JSON numbers, and expressions made of names, digits and + - *."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if not (isinstance(value, str) and value.startswith("{%") and value.endswith("%}")):
        return False
    body = value[2:-2]
    return "$states" not in body and _NUMERIC_CANDIDATE.fullmatch(body) is not None


def _numeric_value(value: object, numbers: frozenset[str]) -> bool:
    if isinstance(value, int | float):
        return True
    return _numeric_text(str(value)[2:-2].strip(), numbers)


@lru_cache(maxsize=8192)
def _numeric_text(text: str, numbers: frozenset[str]) -> bool:
    try:
        tree = jsonata.Jsonata(text).ast
    except Exception:  # the parser raises JException, RuntimeError or RecursionError on odd input
        return False
    return _numeric(tree, {_NUMBERS: numbers})


@lru_cache(maxsize=8192)
def outer_reads(text: str) -> frozenset[str] | None:
    """The variables `text` reads from outside itself, scope by scope (a block's `$v := ...` hides the
    outer `$v` only after the binding); None when it does not parse."""
    try:
        tree = jsonata.Jsonata(text).ast
    except Exception:  # the parser raises JException, RuntimeError or RecursionError on odd input
        return None
    found: set[str] = set()
    _reads(tree, frozenset(), found)
    return frozenset(found - {"states", ""})


_SCOPED_CHILDREN = ("lhs", "rhs", "expressions", "steps", "arguments", "condition", "then", "_else", "stages",
                    "predicate", "expr", "expression", "update", "delete", "group")


def _reads(node: Any, hidden: frozenset[str], found: set[str]) -> None:
    if isinstance(node, list | tuple):
        for item in node:
            _reads(item, hidden, found)
        return
    if not hasattr(node, "type"):
        return
    if node.type == "variable" and str(node.value) not in hidden:
        found.add(str(node.value))
    if node.type == "block":
        inner = hidden
        for expr in node.expressions:
            if expr.type == "bind" and expr.lhs.type == "variable":
                _reads(expr.rhs, inner, found)
                inner = inner | {str(expr.lhs.value)}
            else:
                _reads(expr, inner, found)
        return
    if node.type == "lambda":
        params = frozenset(str(a.value) for a in node.arguments or () if getattr(a, "type", None) == "variable")
        _reads(node.body, hidden | params, found)
        return
    if node.type == "function" and getattr(node.procedure, "type", None) != "variable":
        _reads(node.procedure, hidden, found)
    for field in _SCOPED_CHILDREN:
        child = getattr(node, field, None)
        if child is not None:
            _reads(child, hidden, found)
    for pair in getattr(node, "lhs_object", None) or ():
        _reads(list(pair), hidden, found)
