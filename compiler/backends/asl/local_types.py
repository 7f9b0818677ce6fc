"""Static types of handler locals that the JSONata translation can rely on: always a list, always an int,
always a float.

Takes the lowered handler function and the names of its locals; gives the locals whose every binding in
the handler has that type. A list local is only ever bound to list displays, list comprehensions or
a BatchResult's `get_results()`/`succeeded()`/`failed()`/`started()` (`append`, subscript assignment
and lifted code keep a list a list); an int local only to int literals and `+`, `-`, `*` of
int literals and int locals (`x = 0`, `x += 1`, `x = y * 2`). Parameters, loop targets, operation
results, caught errors and nested defs are never typed. Typed locals translate to plain JSONata
(`$n + 1` instead of a type test on `$n`), and the fold pass knows that arithmetic on int locals
cannot fail. A float local is only ever bound to expressions that certainly give a float
(float_exprs.py: `x = a / b`, `x = float(v)`, `x += 1`) or to the result of a step whose function
returns such an expression on every path; `str()` and f-strings write it as Python does (`5.0`, which
JSON cannot tell from `5`), and the steps function makes it a float again when it reads it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from durable_compile.backends.asl.float_exprs import FloatFacts
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n

_INT_OPS = (ast.Add, ast.Sub, ast.Mult)
#: the BatchResult methods that give a list
BATCH_LISTS = frozenset({"get_results", "succeeded", "failed", "started"})


def list_locals(fn: n.Function, candidates: set[str], batches: AbstractSet[str] = frozenset()) -> set[str]:
    """Locals bound only to list displays, list comprehensions and the lists a BatchResult gives."""
    return _typed(bindings(fn), candidates, lambda value, typed: _is_list(value, batches),
                  augmented=lambda op, v, t: False)


def _is_list(value: ast.expr | None, batches: AbstractSet[str]) -> bool:
    if isinstance(value, ast.List | ast.ListComp):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and not value.args \
        and not value.keywords and value.func.attr in BATCH_LISTS \
        and isinstance(value.func.value, ast.Name) and value.func.value.id in batches


def tuple_locals(fn: n.Function, candidates: set[str]) -> set[str]:
    """Locals bound only to tuple displays (`t = (a, 2)`): JSON makes them lists, the steps function makes
    them tuples again (tuple_shapes.py)."""
    found_in = bindings(fn)
    return _typed(found_in, set(candidates) - found_in.rebound, lambda value, typed: isinstance(value, ast.Tuple),
                  augmented=lambda op, v, t: False)


def int_locals(fn: n.Function, candidates: set[str]) -> set[str]:
    """Locals that always hold an int (a fixpoint: `x = y + 1` is an int while `y` is)."""
    typed, found_in = set(candidates), bindings(fn)
    while True:
        found = _typed(found_in, typed, _is_int,
                       augmented=lambda op, value, t: isinstance(op, _INT_OPS) and _is_int(value, t))
        if found == typed:
            return found
        typed = found


def _is_int(value: ast.expr | None, typed: set[str]) -> bool:
    if isinstance(value, ast.Constant):
        return type(value.value) is int
    if isinstance(value, ast.Name):
        return value.id in typed
    if isinstance(value, ast.BinOp) and isinstance(value.op, _INT_OPS):
        return _is_int(value.left, typed) and _is_int(value.right, typed)
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        return _is_int(value.operand, typed)
    return False


def scalar_locals(fn: n.Function, candidates: set[str]) -> set[str]:
    """Locals that never hold a list or dict (the aliasing check: `x += v` then makes a new object): bound
    only to numbers, strings, booleans, None, f-strings, comparisons, `len`/`str`/`int`/`float`/`bool`/
    `round` calls and operators over such values. `x op= v` keeps a scalar one (a number or string plus
    anything else is an error in Python), except `x *= v` of a value that may be a list (`2 * [0]`)."""
    found_in = bindings(fn)
    typed = set(candidates) - found_in.rebound
    while True:
        found = _typed(found_in, typed, _is_scalar,
                       augmented=lambda op, value, t: not isinstance(op, ast.Mult) or _is_scalar(value, t))
        if found == typed:
            return found
        typed = found


def float_locals(fn: n.Function, candidates: set[str], facts: FloatFacts,
                 float_result: Callable[[n.Operation, set[str]], bool] = lambda op, typed: False,
                 given: AbstractSet[str] = frozenset()) -> set[str]:
    """Locals that always hold a float (a fixpoint, as int_locals); `float_result` says which operations
    give a float (a step whose function always returns one) where the typed locals hold floats; `given`
    are floats `fn` reads but does not bind (a closure's enclosing scope's)."""
    found_in = bindings(fn)
    typed = (set(candidates) - found_in.rebound) | set(given)
    while True:
        found = _typed(found_in, typed, facts.is_float,
                       augmented=lambda op, value, t: _float_update(op, value, facts), result=float_result) | set(given)
        if found == typed:
            return found
        typed = found


#: builtins whose result is never a list or dict
SCALAR_CALLS = frozenset({"len", "str", "int", "float", "bool", "round"})


def _is_scalar(value: ast.expr | None, typed: set[str]) -> bool:
    if isinstance(value, ast.Constant):
        return isinstance(value.value, int | float | str | None)
    if isinstance(value, ast.Name):
        return value.id in typed
    if isinstance(value, ast.JoinedStr | ast.Compare):
        return True
    if isinstance(value, ast.BinOp):
        return _is_scalar(value.left, typed) and _is_scalar(value.right, typed)
    if isinstance(value, ast.UnaryOp):
        return _is_scalar(value.operand, typed)
    if isinstance(value, ast.BoolOp):
        return all(_is_scalar(operand, typed) for operand in value.values)
    if isinstance(value, ast.IfExp):
        return _is_scalar(value.body, typed) and _is_scalar(value.orelse, typed)
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in SCALAR_CALLS


def _float_update(op: ast.operator, value: ast.expr | None, facts: FloatFacts) -> bool:
    """`x op= value` keeps a float `x` a float (float_exprs: the left operand is the float)."""
    if isinstance(op, ast.Pow):
        return value is not None and facts.is_int(value)
    return isinstance(op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.FloorDiv | ast.Mod)


@dataclass(frozen=True)
class Binding:
    """One statement's binding of local names: `x = value` ("assign", simple targets only), `x op= value`
    ("augmented"), `x = <operation>` ("result"), or one no rule types ("other": loop targets, `except
    ... as`, nested defs, unpacking, subscripts)."""

    names: frozenset[str]
    kind: str
    value: ast.expr | None = None
    op: ast.operator | None = None
    operation: n.Operation | None = None


@dataclass(frozen=True)
class Bindings:
    """Every binding of a function's locals, read once for all the typing passes."""

    params: frozenset[str]
    items: tuple[Binding, ...]
    #: names also bound by `:=`, `with ... as` or a `case` pattern (a superset: every identifier there)
    rebound: frozenset[str]


_LAST: list[tuple[n.Function, Bindings]] = []  #: the last function read (the passes run one after another)


def bindings(fn: n.Function) -> Bindings:
    if _LAST and _LAST[0][0] is fn:
        return _LAST[0][1]
    items: list[Binding] = []
    rebound: set[str] = set()
    for stmt in n.walk(fn.body):
        items.extend(_statement_bindings(stmt))
        rebound |= _rebound(stmt)
    found = Bindings(frozenset(fn.params), tuple(items), frozenset(rebound))
    _LAST[:] = [(fn, found)]
    return found


def _statement_bindings(stmt: n.Stmt) -> list[Binding]:
    if isinstance(stmt, n.Assign):
        simple = all(isinstance(parsed(t.code), ast.Name) for t in stmt.targets)
        names = frozenset(set().union(*(_bound(parsed(t.code)) for t in stmt.targets)))
        return [Binding(names, "assign", parsed(stmt.value.code)) if simple else Binding(names, "other")]
    if isinstance(stmt, n.AugAssign):
        op = _OPERATORS.get(stmt.op)
        names = frozenset(_bound(parsed(stmt.target.code)))
        return [Binding(names, "other") if op is None else Binding(names, "augmented", parsed(stmt.value.code), op)]
    if isinstance(stmt, n.Operation) and isinstance(stmt.target, ir.Name):
        return [Binding(frozenset({stmt.target.id}), "result", operation=stmt)]
    if isinstance(stmt, n.For) or (isinstance(stmt, n.Operation | n.HelperCall) and stmt.target is not None):
        return [Binding(frozenset(_bound(parsed(stmt.target.code))), "other")]  # type: ignore[union-attr]
    if isinstance(stmt, n.Try):
        return [Binding(frozenset(h.name for h in stmt.handlers if h.name), "other")]
    if isinstance(stmt, n.LocalDef):
        return [Binding(frozenset({stmt.qualname.rsplit(".", 1)[-1]}), "other")]
    return []


def _rebound(stmt: n.Stmt) -> set[str]:
    """Names `stmt` binds other than by an assignment: `:=`, `with ... as`, `case` patterns."""
    found: set[str] = set()
    if isinstance(stmt, n.With | n.Match):
        text = stmt.code if isinstance(stmt, n.With) else " ".join(c.pattern for c in stmt.cases)
        found |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    for value in vars(stmt).values():
        for expr in value if isinstance(value, tuple) else (value,):
            code = expr.code if isinstance(expr, ir.Expr) else ""
            node = parsed(f"({code})") if ":=" in code else None
            found |= {w.target.id for w in ast.walk(node) if isinstance(w, ast.NamedExpr)} if node else set()
    return found


def _typed(found_in: Bindings, candidates: set[str], plain: Callable[[ast.expr | None, set[str]], bool],
           augmented: Callable[[ast.operator, ast.expr | None, set[str]], bool],
           result: Callable[[n.Operation, set[str]], bool] = lambda op, typed: False) -> set[str]:
    """The candidates every binding of which `plain` (for `x = v`), `augmented` (for `x op= v`) or
    `result` (for `x = <operation>`) accepts, and that are bound at least once."""
    good: set[str] = set()
    bad: set[str] = set(found_in.params)
    for b in found_in.items:
        if b.kind == "assign":
            ok = plain(b.value, candidates)
        elif b.kind == "augmented":
            ok = augmented(b.op, b.value, candidates)  # type: ignore[arg-type]
        elif b.kind == "result":
            ok = result(b.operation, candidates)  # type: ignore[arg-type]
        else:
            ok = False
        (good if ok else bad).update(b.names)
    return (good - bad) & candidates


_OPERATORS: dict[str, ast.operator] = {"+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(), "/": ast.Div(),
                                       "//": ast.FloorDiv(), "%": ast.Mod(), "**": ast.Pow(), "|": ast.BitOr(),
                                       "&": ast.BitAnd(), "^": ast.BitXor(), "<<": ast.LShift(),
                                       ">>": ast.RShift()}


@lru_cache(maxsize=1 << 12)
def parsed(code: str) -> ast.expr | None:
    """The expression's syntax tree, None when it is no expression (shared: callers only read it; the same
    few texts recur)."""
    try:
        return ast.parse(code.strip(), mode="eval").body
    except SyntaxError:
        return None


def _bound(target: ast.expr | None) -> set[str]:
    """The names an assignment target rebinds (`x[0] = v` rebinds nothing)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple | ast.List):
        return set().union(*(_bound(e) for e in target.elts))
    if isinstance(target, ast.Starred):
        return _bound(target.value)
    return set()
